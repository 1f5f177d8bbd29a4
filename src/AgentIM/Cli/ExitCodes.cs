namespace AgentIM.Cli;

/// <summary>One exit code per failure class, so scripts and systemd can tell them apart. Stable.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Config = 1;
    public const int Usage = 2;
    public const int DatabaseUnavailable = 3;
    public const int Failed = 4;
}
