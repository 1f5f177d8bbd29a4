using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AgentIM.Gateway;

/// <summary>
/// Runs <c>git</c> for the workspace views: no shell, the filtered environment, a timeout that ends the process
/// tree, and standard output bounded (the rest is discarded and the result marked truncated). Settings a repository
/// could use to run commands of its own (fsmonitor, external diff, textconv) are switched off on the command line.
/// </summary>
public static class GitCommand
{
    /// <summary>Output kept from one git run.</summary>
    public const int MaxOutputBytes = 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The result of one run; <see cref="Error"/> is set when git could not be run or ran out of time.</summary>
    public sealed record Result(int ExitCode, string Output, bool Truncated, string? Error)
    {
        public bool Succeeded => Error is null && ExitCode == 0;
    }

    public static async Task<Result> RunAsync(
        string directory, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var setting in new[] { "core.fsmonitor=false", "core.quotepath=off", "color.ui=false" })
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(setting);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in SecretEnvironment.Filter([]))
        {
            start.Environment[name] = value;
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        start.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception)
        {
            return new Result(-1, "", false, "git is not installed or not on PATH");
        }

        using (process)
        {
            process.StandardInput.Close();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var stderr = DrainAsync(process.StandardError.BaseStream);
            var buffer = new MemoryStream();
            var truncated = false;
            try
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await process.StandardOutput.BaseStream.ReadAsync(chunk, limit.Token)) > 0)
                {
                    var room = MaxOutputBytes - (int)buffer.Length;
                    buffer.Write(chunk, 0, Math.Min(room, read));
                    if (read > room)
                    {
                        truncated = true;
                        break;
                    }
                }

                if (truncated)
                {
                    await ProcessTree.TerminateAsync(process, TimeSpan.FromSeconds(1));
                }

                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                await ProcessTree.TerminateAsync(process, TimeSpan.FromSeconds(1));
                return new Result(-1, "", false, $"git took longer than {timeout.TotalSeconds:0} s");
            }

            await stderr;
            return new Result(truncated ? 0 : process.ExitCode, Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), truncated, null);
        }
    }

    /// <summary>Reads and discards standard error so git never blocks on a full pipe.</summary>
    private static async Task DrainAsync(Stream stream)
    {
        var sink = new byte[4096];
        try
        {
            while (await stream.ReadAsync(sink, CancellationToken.None) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
