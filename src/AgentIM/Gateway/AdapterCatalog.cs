namespace AgentIM.Gateway;

/// <summary>
/// Turns an agent type into an adapter: <c>generic</c> (runs <c>echo</c> unless a command is given), a custom
/// adapter from <c>adapters.json</c> (registered as <c>generic</c>, the only type the hub accepts for it),
/// <c>claude-code</c> (the <c>claude</c> CLI on PATH), <c>codex</c> (<c>codex app-server</c>) and <c>gemini</c>
/// (the <c>gemini</c> CLI). <paramref name="toolCommands"/> replaces a built-in type's program (by wire type).
/// </summary>
public sealed class AdapterCatalog(
    IReadOnlyDictionary<string, CustomAdapter> custom, GenericAdapterOptions? genericCommand, IReadOnlyCollection<string> passEnv,
    bool bypassPermissions = false, IReadOnlyDictionary<string, string>? toolCommands = null)
{
    private readonly SecretRedactor _redactor = SecretRedactor.FromEnvironment();

    /// <summary>The wire type and adapter for a type name, or the reason there is none.</summary>
    public (string? WireType, IAgentAdapter? Adapter, string? Error) Create(string type)
    {
        if (custom.TryGetValue(type, out var adapter))
        {
            if (GenericAdapterOptions.CheckCommand(adapter.Command) is { } problem)
            {
                return (null, null, $"adapter {type}: {problem}");
            }

            var options = new GenericAdapterOptions(adapter.Command, adapter.Args ?? [])
            {
                PromptOnStdin = adapter.PromptVia != "arg",
                PassEnvironment = passEnv,
            };
            return (AgentTypes.Generic, new GenericAdapter(options.WithEnvironmentTimeouts(), _redactor), null);
        }

        switch (AgentTypes.Normalize(type))
        {
            case AgentTypes.Generic:
                var generic = genericCommand ?? new GenericAdapterOptions("echo", []) { PromptOnStdin = false };
                var genericOptions = (generic with { PassEnvironment = passEnv }).WithEnvironmentTimeouts();
                return (AgentTypes.Generic, new GenericAdapter(genericOptions, _redactor), null);
            case AgentTypes.ClaudeCode:
                var claude = Tool(AgentTypes.ClaudeCode, "claude", []);
                return (AgentTypes.ClaudeCode, new ClaudeCodeAdapter(claude, bypassPermissions, _redactor), null);
            case AgentTypes.Codex:
                var codex = Tool(AgentTypes.Codex, "codex", ["app-server"]);
                return (AgentTypes.Codex, new CodexAdapter(codex, bypassPermissions, _redactor), null);
            case AgentTypes.Gemini:
                var gemini = Tool(AgentTypes.Gemini, "gemini", []);
                return (AgentTypes.Gemini, new GeminiAdapter(gemini, bypassPermissions, _redactor), null);
            default:
                return (null, null, $"unknown agent type '{type}' (claude-code, codex, gemini, generic, or a name from adapters.json)");
        }
    }

    private GenericAdapterOptions Tool(string wireType, string command, IReadOnlyList<string> arguments)
    {
        var program = toolCommands?.GetValueOrDefault(wireType) ?? command;
        return new GenericAdapterOptions(program, arguments) { PassEnvironment = passEnv }.WithEnvironmentTimeouts();
    }
}
