namespace EdgeRtmp.Protocol.Amf;

/// <summary>AMF0 type markers (AMF0 specification, section 2.1).</summary>
public enum Amf0Marker : byte
{
    Number = 0x00,
    Boolean = 0x01,
    String = 0x02,
    Object = 0x03,
    /// <summary>Reserved by the specification, never sent: rejected.</summary>
    MovieClip = 0x04,
    Null = 0x05,
    Undefined = 0x06,
    Reference = 0x07,
    EcmaArray = 0x08,
    ObjectEnd = 0x09,
    StrictArray = 0x0A,
    Date = 0x0B,
    LongString = 0x0C,
    Unsupported = 0x0D,
    /// <summary>Reserved by the specification, never sent: rejected.</summary>
    RecordSet = 0x0E,
    XmlDocument = 0x0F,
    TypedObject = 0x10,
    /// <summary>Switch to AMF3 for the next value (AMF0 specification, section 3.1).</summary>
    AvmPlusObject = 0x11,
}

/// <summary>AMF3 type markers (AMF3 specification, section 3.1).</summary>
public enum Amf3Marker : byte
{
    Undefined = 0x00,
    Null = 0x01,
    False = 0x02,
    True = 0x03,
    Integer = 0x04,
    Double = 0x05,
    String = 0x06,
    XmlDocument = 0x07,
    Date = 0x08,
    Array = 0x09,
    Object = 0x0A,
    Xml = 0x0B,
    ByteArray = 0x0C,
    VectorInt = 0x0D,
    VectorUInt = 0x0E,
    VectorDouble = 0x0F,
    VectorObject = 0x10,
    Dictionary = 0x11,
}
