namespace AgentIM.Tests.Smoke;

/// <summary>A one-shot run of the published binary: arguments, extra environment, standard input, wrapper program.</summary>
public sealed record CommandRun(params string[] Arguments)
{
    public IReadOnlyDictionary<string, string>? Overrides { get; init; }

    public string? Input { get; init; }

    public IReadOnlyList<string> Wrapper { get; init; } = [];
}

/// <summary>How a one-shot run ended.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
