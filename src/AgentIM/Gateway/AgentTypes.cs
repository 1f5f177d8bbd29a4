namespace AgentIM.Gateway;

/// <summary>The agent types the hub accepts in <c>gateway:register_agent</c> (websocket.md §6). Stable wire values.</summary>
public static class AgentTypes
{
    public const string ClaudeCode = "claude-code";
    public const string Codex = "codex";
    public const string Gemini = "gemini";
    public const string Generic = "generic";

    public static readonly IReadOnlyList<string> BuiltIn = [ClaudeCode, Codex, Gemini, Generic];

    /// <summary>The wire type for a type named on the command line (<c>claude</c> is short for claude-code).</summary>
    public static string? Normalize(string type) => type switch
    {
        "claude" or ClaudeCode => ClaudeCode,
        Codex => Codex,
        Gemini => Gemini,
        Generic => Generic,
        _ => null,
    };
}
