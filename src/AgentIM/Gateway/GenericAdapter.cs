using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AgentIM.Gateway;

/// <summary>
/// Runs any command once per message (gateway-cli.md §7.4): no shell, the filtered environment, the agent's working
/// directory. Standard output becomes <c>text</c> chunks as it arrives; standard error becomes <c>error</c> chunks,
/// a line at a time so a secret is never split across two chunks before it is masked. Exit 0 completes the reply
/// with everything printed; anything else fails it. Inactivity and absolute timeouts, output limits and a stop
/// end the whole process tree.
/// </summary>
public sealed class GenericAdapter(GenericAdapterOptions options, SecretRedactor redactor, IStdoutParser? parser = null) : IAgentAdapter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public bool SupportsParallelRooms => false;

    private GenericAdapterOptions Options => options;

    private SecretRedactor Redactor => redactor;

    private IStdoutParser? Parser => parser;

    public async Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        var start = options.StartInfo(
            options.PromptOnStdin ? options.Arguments : [.. options.Arguments, request.Prompt], request.WorkingDirectory);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception)
        {
            return AdapterResult.Failed("", $"Command \"{options.Command}\" not found or not executable (is it installed and on PATH?)");
        }

        using (process)
        {
            return await new Run(this, process, onChunk).CompleteAsync(request, cancellationToken);
        }
    }

    /// <summary>The state of one process run: output so far, the reason it was ended, activity for the watchdog.</summary>
    private sealed class Run(GenericAdapter adapter, Process process, Func<AgentChunk, Task> onChunk)
    {
        private readonly SemaphoreSlim _emit = new(1, 1);
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _parsedText = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _ended = new();
        private readonly Lock _endLock = new();
        private long _lastActivityMs;
        private string? _killReason;
        private Task? _termination;

        private GenericAdapterOptions Options => adapter.Options;

        private SecretRedactor Redactor => adapter.Redactor;

        private IStdoutParser? Parser => adapter.Parser;

        public async Task<AdapterResult> CompleteAsync(AdapterRequest request, CancellationToken cancellationToken)
        {
            using var stop = cancellationToken.Register(() => End("Stopped"));
            var stdout = PumpAsync(process.StandardOutput.BaseStream, isError: false);
            var stderr = PumpAsync(process.StandardError.BaseStream, isError: true);
            var watchdog = WatchAsync();
            await WritePromptAsync(request);

            await process.WaitForExitAsync(CancellationToken.None);

            // Grandchildren may hold the pipes open after the command exits: give the readers a moment, then end them.
            var pumps = Task.WhenAll(stdout, stderr);
            if (await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)) != pumps)
            {
                await _ended.CancelAsync();
                await pumps;
            }

            if (!_ended.IsCancellationRequested)
            {
                await _ended.CancelAsync();
            }

            await watchdog;
            if (_termination is not null)
            {
                await _termination;
            }

            var full = Parser is null ? _stdout.ToString() : Parser.FullContent ?? _parsedText.ToString();
            if (_killReason is { Length: > 0 } reason)
            {
                return AdapterResult.Failed(full, reason);
            }

            if (Parser?.Error is { } toolError)
            {
                return AdapterResult.Failed(full, toolError);
            }

            return process.ExitCode == 0
                ? new AdapterResult(full, null)
                : AdapterResult.Failed(full, process.ExitCode > 128 && _termination is not null
                    ? "Process killed by signal"
                    : $"Process exited with code {process.ExitCode}");
        }

        private async Task WritePromptAsync(AdapterRequest request)
        {
            try
            {
                if (Options.PromptOnStdin)
                {
                    await process.StandardInput.WriteAsync(request.Prompt);
                    await process.StandardInput.FlushAsync();
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command does not read its input (or already exited): its output still counts.
            }
        }

        private async Task PumpAsync(Stream stream, bool isError)
        {
            var buffer = new byte[8192];
            var chars = new char[Utf8.GetMaxCharCount(buffer.Length)];
            var decoder = Utf8.GetDecoder();
            var pendingLine = new StringBuilder();
            long total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, _ended.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                var flush = read == 0;
                var count = decoder.GetChars(buffer, 0, read, chars, 0, flush);
                if (read > 0)
                {
                    Interlocked.Exchange(ref _lastActivityMs, _clock.ElapsedMilliseconds);
                    total += read;
                    if (total > (isError ? Options.MaxStderrBytes : Options.MaxStdoutBytes))
                    {
                        End(isError ? "Error output too large" : "Response too large");
                        break;
                    }
                }

                var text = new string(chars, 0, count);
                if (!isError && Parser is not null)
                {
                    pendingLine.Append(text);
                    await ParseLinesAsync(pendingLine, flush);
                }
                else if (isError)
                {
                    pendingLine.Append(text);
                    var lastNewline = pendingLine.ToString().LastIndexOf('\n');
                    if (lastNewline >= 0 || flush)
                    {
                        var cut = flush ? pendingLine.Length : lastNewline + 1;
                        var lines = pendingLine.ToString(0, cut);
                        pendingLine.Remove(0, cut);
                        await EmitAsync(AgentChunk.Error, Redactor.Redact(lines));
                    }
                }
                else if (count > 0)
                {
                    lock (_stdout)
                    {
                        _stdout.Append(text);
                    }

                    await EmitAsync(AgentChunk.Text, text);
                }

                if (flush)
                {
                    break;
                }
            }

            if (isError && pendingLine.Length > 0)
            {
                await EmitAsync(AgentChunk.Error, Redactor.Redact(pendingLine.ToString()));
            }
            else if (!isError && Parser is not null && pendingLine.Length > 0)
            {
                await ParseLinesAsync(pendingLine, flush: true);
            }
        }

        /// <summary>Feeds the complete lines (all of them when flushing) to the parser and sends its chunks.</summary>
        private async Task ParseLinesAsync(StringBuilder pending, bool flush)
        {
            var all = pending.ToString();
            var end = flush ? all.Length : all.LastIndexOf('\n') + 1;
            if (end <= 0)
            {
                return;
            }

            pending.Remove(0, end);
            foreach (var line in all[..end].Split('\n'))
            {
                foreach (var chunk in Parser!.Parse(line.TrimEnd('\r')))
                {
                    if (chunk.Type == AgentChunk.Text)
                    {
                        _parsedText.Append(chunk.Content);
                    }

                    await EmitAsync(chunk);
                }
            }
        }

        private Task EmitAsync(string type, string content) => EmitAsync(new AgentChunk(type, content));

        private async Task EmitAsync(AgentChunk whole)
        {
            var content = whole.Content;
            if (content.Length == 0 && whole.Metadata is null)
            {
                return;
            }

            await _emit.WaitAsync(CancellationToken.None);
            try
            {
                if (content.Length <= GatewayFrames.MaxChunkContent)
                {
                    await onChunk(whole);
                    return;
                }

                for (var offset = 0; offset < content.Length; offset += GatewayFrames.MaxChunkContent)
                {
                    var piece = content.Substring(offset, Math.Min(GatewayFrames.MaxChunkContent, content.Length - offset));
                    await onChunk(whole with { Content = piece });
                }
            }
            finally
            {
                _emit.Release();
            }
        }

        private async Task WatchAsync()
        {
            try
            {
                while (true)
                {
                    var now = _clock.ElapsedMilliseconds;
                    var idleLeft = (long)Options.InactivityTimeout.TotalMilliseconds - (now - Interlocked.Read(ref _lastActivityMs));
                    var totalLeft = (long)Options.AbsoluteTimeout.TotalMilliseconds - now;
                    if (idleLeft <= 0)
                    {
                        End($"No output for {Options.InactivityTimeout.TotalSeconds:0} s: inactivity timeout");
                        return;
                    }

                    if (totalLeft <= 0)
                    {
                        End($"Ran longer than {Options.AbsoluteTimeout.TotalSeconds:0} s: absolute timeout");
                        return;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(idleLeft, totalLeft)), _ended.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The process ended first.
            }
        }

        /// <summary>Ends the process tree once, remembering the first reason (empty: no error of its own).</summary>
        private void End(string reason)
        {
            lock (_endLock)
            {
                if (_termination is not null)
                {
                    return;
                }

                _killReason = reason;
                _termination = ProcessTree.TerminateAsync(process, Options.KillGrace);
            }
        }
    }
}
