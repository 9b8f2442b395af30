// Replaced by the command-line entry point (issue: local RTMP server, `edgertmp run`).
return 2;
