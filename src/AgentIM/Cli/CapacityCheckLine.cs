namespace AgentIM.Cli;

public enum CheckVerdict
{
    Pass,
    Warn,
    Fail,
}

/// <summary>One line of <c>agentim capacity check</c>: the verdict, what was found and, unless it passed, the fix.</summary>
public sealed record CapacityCheckLine(CheckVerdict Verdict, string Subject, string Finding, string? Fix = null)
{
    public override string ToString()
    {
        var verdict = Verdict switch { CheckVerdict.Pass => "pass", CheckVerdict.Warn => "warn", _ => "fail" };
        return Fix is null ? $"{verdict}  {Subject}: {Finding}" : $"{verdict}  {Subject}: {Finding}; fix: {Fix}";
    }
}
