using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Smoke;

/// <summary>
/// The published native-AOT binary, run as a user would run it: `agentim serve` with environment variables, on a
/// free loopback port, against a database of its own. The only place the tests exercise AOT code.
/// </summary>
public sealed class PublishedHub : HubFixture
{
    private Process? _process;
    private Dictionary<string, string> _environment = [];

    public string Binary { get; } = TestEnvironment.PublishedBinary is { Length: > 0 } path && File.Exists(path)
        ? path
        : throw new InvalidOperationException(
            "AGENTIM_BINARY must name the published binary (artifacts/publish/agentim). `make test` publishes it and sets it.");

    public string Output => _output.ToString();

    /// <summary>The process id of the running `agentim serve`.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the hub is not running");

    private readonly System.Text.StringBuilder _output = new();

    public override async Task InitializeAsync()
    {
        DatabaseUrl = await TestEnvironment.CreateDatabaseAsync("agentim_aot");
        var port = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["AGENTIM_ENV"] = "development",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATABASE_URL"] = DatabaseUrl,
            ["JWT_SECRET"] = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()),
            ["ADMIN_USERNAME"] = AdminUsername,
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["UPLOAD_DIR"] = Directory.CreateTempSubdirectory("agentim-aot-uploads-").FullName,
            ["LOG_LEVEL"] = "info",
        };
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await StartAsync();
    }

    /// <summary>The hub's UPLOAD_DIR (commands run through <see cref="RunCommandAsync"/> share it).</summary>
    public string UploadDir => _environment["UPLOAD_DIR"];

    public override async Task DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        await TestEnvironment.DropDatabaseAsync(DatabaseUrl);
    }

    /// <summary>Starts `agentim serve` and waits until /api/health answers 200.</summary>
    public async Task StartAsync()
    {
        _process = Start("serve");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"agentim exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"agentim did not become healthy:\n{Output}");
    }

    /// <summary>Sends SIGTERM and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? 0;
        }

        Signal(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agentim did not stop within 15 s of SIGTERM:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Ends the hub with SIGKILL (a crash: no shutdown work at all) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } running)
        {
            Signal(running.Id, 9);
            await running.WaitForExitAsync();
        }
    }

    /// <summary>Runs a one-shot command of the binary (migrate, …) with this hub's environment.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
    {
        var run = await RunCommandAsync(new CommandRun(arguments) { Overrides = overrides });
        return (run.ExitCode, run.Stdout + run.Stderr);
    }

    /// <summary>
    /// Runs a one-shot command with this hub's environment, <see cref="CommandRun.Input"/> on its standard input
    /// and, when given, under a wrapper program (e.g. <c>prlimit --nofile=256:256</c>). Stdout and stderr apart.
    /// </summary>
    public async Task<CommandResult> RunCommandAsync(CommandRun run)
    {
        using var process = Start(run.Arguments, run.Overrides, capture: false, run.Wrapper);
        await process.StandardInput.WriteAsync(run.Input ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a second long-running process of the binary (its output is not read; the caller owns it).</summary>
    public Process StartOther(IReadOnlyDictionary<string, string> overrides, params string[] arguments) =>
        Start(arguments, overrides, capture: false, wrapper: []);

    /// <summary>Like <see cref="StartOther(IReadOnlyDictionary{string, string}, string[])"/>, under a wrapper program.</summary>
    public Process StartOther(IReadOnlyDictionary<string, string> overrides, IReadOnlyList<string> wrapper, params string[] arguments) =>
        Start(arguments, overrides, capture: false, wrapper);

    public static int FreeLoopbackPort() => FreePort();

    private Process Start(params string[] arguments) => Start(arguments, null, capture: true, wrapper: []);

    private Process Start(string[] arguments, IReadOnlyDictionary<string, string>? overrides, bool capture, IReadOnlyList<string> wrapper)
    {
        var info = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : Binary)
        {
            RedirectStandardInput = !capture,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in wrapper.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        if (wrapper.Count > 0)
        {
            info.ArgumentList.Add(Binary);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A clean environment: only what a user would set, so nothing leaks in from the test runner.
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        if (capture)
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}
