using System.Diagnostics;
using System.Text;
using AgentIM.Tests.Smoke;

namespace AgentIM.Tests.Cli;

/// <summary>
/// The published binary under a pseudo-terminal made by util-linux <c>script</c>, as a person at a terminal runs it:
/// the test types into it and reads everything the terminal shows (its output and whatever the terminal echoes).
/// The terminal's echo is forced on, as on a real login, so a prompt that does not switch it off shows the password.
/// </summary>
public sealed class TerminalRun : IAsyncDisposable
{
    // `script --command` takes one command string; sh joins the binary and its arguments (no spaces in them) into it.
    private static readonly string[] Wrapper =
        ["/bin/sh", "-c", "exec script --quiet --return --flush --echo always --command \"$*\" /dev/null", "agentim-pty"];

    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;

    private TerminalRun(Process process)
    {
        _process = process;
        // The terminal's output arrives on script's stdout; script's own complaints (if any) on its stderr.
        _reader = Task.WhenAll(ReadScreenAsync(process.StandardOutput), ReadScreenAsync(process.StandardError));
    }

    /// <summary>Everything the terminal has shown so far, escape sequences included.</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
            {
                return _screen.ToString();
            }
        }
    }

    public static TerminalRun Start(PublishedHub hub, IReadOnlyDictionary<string, string> overrides, params string[] arguments) =>
        new(hub.StartOther(overrides, Wrapper, arguments));

    /// <summary>Waits until the terminal shows <paramref name="text"/> (a prompt), failing with the screen after 30 s.</summary>
    public async Task WaitForAsync(string text)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Screen.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > until || _reader.IsCompleted)
            {
                Assert.Fail($"the terminal never showed '{text}'; it shows:\n{Screen}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Types <paramref name="keys"/> (Enter is "\r", as a keyboard sends it).</summary>
    public async Task TypeAsync(string keys)
    {
        await _process.StandardInput.WriteAsync(keys);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the program to end (60 s at most) and returns its exit code.</summary>
    public async Task<int> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the program did not end within 60 s; the terminal shows:\n{Screen}");
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task ReadScreenAsync(StreamReader output)
    {
        var buffer = new char[1024];
        int count;
        while ((count = await output.ReadAsync(buffer)) > 0)
        {
            lock (_screen)
            {
                _screen.Append(buffer, 0, count);
            }
        }
    }
}
