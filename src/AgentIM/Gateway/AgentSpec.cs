namespace AgentIM.Gateway;

/// <summary>An agent named on the command line: <c>NAME:TYPE[:DIR]</c> (the directory may itself hold colons).</summary>
public sealed record AgentSpec(string Name, string Type, string? WorkingDirectory)
{
    public static AgentSpec? Parse(string text)
    {
        var parts = text.Split(':', 3);
        if (parts.Length < 2 || parts[0].Trim().Length == 0 || parts[0].Length > 100 || parts[1].Trim().Length == 0)
        {
            return null;
        }

        return new AgentSpec(parts[0].Trim(), parts[1].Trim(), parts.Length == 3 && parts[2].Length > 0 ? parts[2] : null);
    }
}
