namespace AgentIM.Cli;

/// <summary>One exit code per failure class, so scripts and systemd can tell them apart. Stable.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Config = 1;
    public const int Usage = 2;
    public const int DatabaseUnavailable = 3;
    public const int Failed = 4;

    /// <summary>The user named on the command line does not exist.</summary>
    public const int NotFound = 5;

    /// <summary>The change would clash with what is there: a taken username, or the last active admin going away.</summary>
    public const int Conflict = 6;

    // `agentim capacity check` reports its verdict instead: 0 all pass, 1 a warning, 2 a failure.
    public const int CheckWarn = 1;
    public const int CheckFail = 2;
}
