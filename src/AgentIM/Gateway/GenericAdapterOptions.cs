using System.Diagnostics;
using System.Text;

namespace AgentIM.Gateway;

/// <summary>
/// What the generic adapter runs and its limits (gateway-cli.md §7.4). The timeouts come from
/// <c>AGENTIM_PROCESS_TIMEOUT_MS</c> (inactivity, 30 s–2 h, default 5 min) and <c>AGENTIM_ABSOLUTE_TIMEOUT_MS</c>
/// (default 15 min); tests shorten them directly.
/// </summary>
public sealed record GenericAdapterOptions(string Command, IReadOnlyList<string> Arguments)
{
    /// <summary>Characters a command may not contain: it is never given to a shell, and must not look like one.</summary>
    private const string ShellCharacters = ";&|`${}[]<>!#~*?\0\n\r";

    /// <summary>True: the prompt goes to standard input (then closed); false: it is the last argument.</summary>
    public bool PromptOnStdin { get; init; } = true;

    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan AbsoluteTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public long MaxStdoutBytes { get; init; } = 10L * 1024 * 1024;

    public long MaxStderrBytes { get; init; } = 5L * 1024 * 1024;

    /// <summary>Time between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Variable names let through the secret filter (<c>--pass-env</c>).</summary>
    public IReadOnlyCollection<string> PassEnvironment { get; init; } = [];

    /// <summary>The limits the environment sets, applied to these options.</summary>
    public GenericAdapterOptions WithEnvironmentTimeouts()
    {
        var options = this;
        if (Milliseconds("AGENTIM_PROCESS_TIMEOUT_MS") is { } inactivity)
        {
            options = options with { InactivityTimeout = TimeSpan.FromMilliseconds(Math.Clamp(inactivity, 30_000, 7_200_000)) };
        }

        if (Milliseconds("AGENTIM_ABSOLUTE_TIMEOUT_MS") is { } absolute)
        {
            options = options with { AbsoluteTimeout = TimeSpan.FromMilliseconds(Math.Max(absolute, 30_000)) };
        }

        return options;
    }

    /// <summary>Why a command may not be run, or null when it may (gateway-cli.md §7.4).</summary>
    public static string? CheckCommand(string command)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return "the command is empty";
        }

        if (command.IndexOfAny(ShellCharacters.ToCharArray()) >= 0)
        {
            return "the command contains shell characters; give the program and its arguments separately";
        }

        if (command.StartsWith('-'))
        {
            return "the command starts with '-'";
        }

        if (!Path.IsPathRooted(command) && command.Split('/').Contains(".."))
        {
            return "a relative command may not contain '..'";
        }

        return null;
    }

    /// <summary>
    /// How every agent CLI is started: the command itself, never a shell; pipes on all three streams in UTF-8
    /// without a byte-order mark; the given arguments and working directory; only the environment that survives the
    /// secret filter (gateway-cli.md §7).
    /// </summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? workingDirectory)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var start = new ProcessStartInfo(Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = utf8,
            StandardOutputEncoding = utf8,
            StandardErrorEncoding = utf8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.Environment.Clear();
        foreach (var (name, value) in SecretEnvironment.Filter(PassEnvironment))
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static long? Milliseconds(string name) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : null;
}
