namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>A private CA and a server certificate for 127.0.0.1/localhost, made with openssl for the RTMPS tests.</summary>
public sealed record TestCertificates(string Directory, string CaCertificate, string ServerCertificate, string ServerKey)
{
    public static async Task<TestCertificates> CreateAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "edgertmp-tls-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        string P(string name) => Path.Combine(directory, name);
        File.WriteAllText(P("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        await Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", P("ca.key"), "-out", P("ca.pem"), "-days", "2", "-subj", "/CN=EdgeRtmp Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await Run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", P("server.key"), "-out", P("server.csr"), "-subj", "/CN=127.0.0.1");
        await Run("x509", "-req", "-in", P("server.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca.key"), "-CAcreateserial", "-out", P("server.pem"), "-days", "2", "-extfile", P("server.ext"));
        return new TestCertificates(directory, P("ca.pem"), P("server.pem"), P("server.key"));
    }

    private static async Task Run(params string[] arguments)
    {
        var (exitCode, _, stderr) = await PeerProcess.RunAsync(TimeSpan.FromSeconds(60), "openssl", arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {stderr}");
        }
    }
}
