using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace AgentIM.Cli;

/// <summary>
/// <c>agentim capacity probe</c>: measures a running hub from outside, as its clients see it (issue #4, "Speed and
/// memory"). It logs in as the admin, makes its own users and room through the REST API, raises the per-user client
/// frame limit through the settings API, then (a) reads RSS at rest and with N idle authenticated sockets and (b)
/// drives one room of C clients sending <c>client:send_message</c>, timing each delivery from the send timestamp
/// carried in the content. Everything it made is deleted and the settings it changed are put back at the end.
/// It only ever talks to a loopback address.
/// </summary>
public sealed class CapacityProbe(CapacityProbeOptions options, TextWriter progress)
{
    /// <summary>The per-user limit the probe sets (the setting's maximum), with the shortest window.</summary>
    public const string ClientRateLimitMax = "1000";
    public const string ClientRateLimitWindow = "1";

    private const int MaxSocketsPerUser = 1000;
    private const int ConnectParallelism = 8;

    // USER_HZ: 100 on every Linux architecture .NET runs on.
    private const int ClockTicksPerSecond = 100;

    private static readonly string[] s_settingKeys = ["rateLimit.client.max", "rateLimit.client.window", "rateLimit.http.enabled"];

    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _createdUsers = [];
    private readonly List<string> _createdRooms = [];

    /// <summary>Refuses any URL whose host is not a loopback address (127.0.0.0/8, ::1, or localhost resolving only to those).</summary>
    public static Uri RequireLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CapacityProbeException($"--url must be an http:// or https:// URL, not '{url}'");
        }

        var host = uri.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var address))
        {
            return IPAddress.IsLoopback(address)
                ? uri
                : throw new CapacityProbeException($"--url must name a loopback address (127.0.0.0/8 or ::1); {host} is not one");
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            var addresses = Dns.GetHostAddresses(host);
            if (addresses.Length > 0 && addresses.All(IPAddress.IsLoopback))
            {
                return uri;
            }
        }

        throw new CapacityProbeException($"--url must name a loopback address (127.0.0.0/8, ::1 or localhost); '{host}' is not one");
    }

    public async Task<CapacityProbeReport> RunAsync(CancellationToken cancellationToken)
    {
        var url = RequireLoopback(options.HubUrl.ToString());
        using var api = new CapacityProbeApi(url);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        var socketUri = new UriBuilder(url) { Scheme = url.Scheme == "https" ? "wss" : "ws", Path = "/ws/client" }.Uri;
        var rssSource = options.HubPid is { } pid ? $"/proc/{pid}/status" : "process_rss_bytes of /api/metrics";

        // At rest first: with a pid nothing has touched the hub yet; through the metrics the admin login comes first.
        long idleRss = 0;
        if (options.HubPid is not null)
        {
            idleRss = await ReadRssAsync(api, cancellationToken);
        }

        await api.LoginAdminAsync(options.AdminUsername, options.AdminPassword, cancellationToken);
        if (options.HubPid is null)
        {
            idleRss = await ReadRssAsync(api, cancellationToken);
        }

        Say($"idle RSS {idleRss / 1e6:0.0} MB");
        var savedSettings = await api.GetStoredSettingsAsync(s_settingKeys, cancellationToken);
        try
        {
            await api.ChangeSettingsAsync(
                new Dictionary<string, string?>
                {
                    ["rateLimit.client.max"] = ClientRateLimitMax,
                    ["rateLimit.client.window"] = ClientRateLimitWindow,
                    // The probe makes dozens of logins and a room in seconds; the HTTP limiters would refuse them.
                    ["rateLimit.http.enabled"] = "false",
                },
                cancellationToken);

            var idle = await MeasureIdleSocketsAsync(api, invoker, socketUri, idleRss, cancellationToken);
            var load = await MeasureLoadAsync(api, invoker, socketUri, cancellationToken);
            return new CapacityProbeReport { HubUrl = url.ToString(), RssSource = rssSource, Idle = idle, Load = load };
        }
        finally
        {
            await CleanUpAsync(api, savedSettings);
        }
    }

    private async Task<CapacityProbeIdle> MeasureIdleSocketsAsync(
        CapacityProbeApi api, HttpMessageInvoker invoker, Uri socketUri, long idleRss, CancellationToken cancellationToken)
    {
        // A few users carry all the idle sockets (each user's socket limit raised), so the logins' password hashing
        // happens before the baseline is read and is not counted against the sockets.
        var tokens = new List<string>();
        for (var remaining = options.Sockets; remaining > 0; remaining -= MaxSocketsPerUser)
        {
            var (userId, token) = await CreateUserAsync(api, $"idle{tokens.Count}", cancellationToken);
            await api.SetUserSocketLimitAsync(userId, Math.Min(remaining, MaxSocketsPerUser), cancellationToken);
            tokens.Add(token);
        }

        await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds), cancellationToken);
        var before = await ReadRssAsync(api, cancellationToken);
        Say($"RSS before the idle sockets {before / 1e6:0.0} MB; opening {options.Sockets}");

        var sockets = new CapacityProbeSocket[options.Sockets];
        var drains = new Task[options.Sockets];
        using var stopDraining = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        try
        {
            await Parallel.ForAsync(0, options.Sockets, new ParallelOptions
            {
                MaxDegreeOfParallelism = ConnectParallelism,
                CancellationToken = cancellationToken,
            }, async (i, token) =>
            {
                sockets[i] = await CapacityProbeSocket.OpenAsync(socketUri, invoker, tokens[i / MaxSocketsPerUser], 512, token);
                // A pending read answers the hub's pings, so the sockets stay alive however long the settle takes.
                drains[i] = sockets[i].DrainAsync(stopDraining.Token);
            });
            var connectSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds), cancellationToken);
            var with = await ReadRssAsync(api, cancellationToken);
            var perSocketKb = (with - before) / 1e3 / options.Sockets;
            Say($"RSS with {options.Sockets} idle sockets {with / 1e6:0.0} MB ({perSocketKb:0.0} KB each), "
                + $"opened in {connectSeconds:0.0} s");
            return new CapacityProbeIdle(idleRss, options.Sockets, before, with, Math.Round(perSocketKb, 2), Math.Round(connectSeconds, 2));
        }
        finally
        {
            await CloseAllAsync(sockets, drains, stopDraining);
        }
    }

    private async Task<CapacityProbeLoad> MeasureLoadAsync(
        CapacityProbeApi api, HttpMessageInvoker invoker, Uri socketUri, CancellationToken cancellationToken)
    {
        var users = new (string UserId, string Token)[options.Clients];
        for (var i = 0; i < options.Clients; i++)
        {
            users[i] = await CreateUserAsync(api, $"c{i}", cancellationToken);
        }

        var roomId = await api.CreateRoomAsync($"probe-{_runId}", users.Select(u => u.UserId).ToList(), cancellationToken);
        _createdRooms.Add(roomId);
        Say($"{options.Clients} users in room {roomId}; connecting");

        var run = new LoadRun(options.Clients, options.InFlight);
        var sockets = new CapacityProbeSocket[options.Clients];
        var readers = new Task[options.Clients];
        using var stop = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < options.Clients; i++)
            {
                sockets[i] = await CapacityProbeSocket.OpenAsync(socketUri, invoker, users[i].Token, 16 * 1024, cancellationToken);
                await sockets[i].SendAsync(
                    new ProbeRoomFrame("client:join_room", roomId), CapacityProbeJson.Default.ProbeRoomFrame, cancellationToken);
                // Frames of a socket are handled in order: the pong proves the join is done.
                await sockets[i].SendAsync(
                    new ProbePingFrame("client:ping", i), CapacityProbeJson.Default.ProbePingFrame, cancellationToken);
                await sockets[i].WaitForAsync("server:pong", cancellationToken);
            }

            for (var i = 0; i < options.Clients; i++)
            {
                readers[i] = ReadDeliveriesAsync(sockets[i], i, run, stop.Token);
            }

            var senders = Enumerable.Range(0, options.Clients)
                .Select(i => Task.Run(() => SendLoopAsync(sockets[i], i, roomId, run, stop.Token), CancellationToken.None))
                .ToArray();

            await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
            var cpuAtStart = ReadHubCpuSeconds();
            var window = run.StartWindow();
            var loadSeconds = TimeSpan.FromSeconds(options.LoadSeconds);
            await Task.Delay(loadSeconds * 0.9, cancellationToken);
            var rssUnderLoad = await ReadRssAsync(api, cancellationToken);
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (loadSeconds - window.Elapsed).Ticks)), cancellationToken);
            var (stored, deliveries, errors, elapsed) = run.EndWindow(window);
            var hubCpu = ReadHubCpuSeconds() - cpuAtStart;
            await stop.CancelAsync();
            await Task.WhenAll(senders);

            var seconds = elapsed.TotalSeconds;
            var load = new CapacityProbeLoad(
                options.Clients,
                options.InFlight,
                options.WarmupSeconds,
                Math.Round(seconds, 2),
                stored,
                Math.Round(stored / seconds, 1),
                deliveries,
                Math.Round(deliveries / seconds, 1),
                Math.Round(run.Latency.QuantileMs(0.50), 2),
                Math.Round(run.Latency.QuantileMs(0.99), 2),
                Math.Round(run.Latency.MaxMs, 2),
                errors,
                run.FirstError,
                rssUnderLoad,
                Math.Round(hubCpu, 2),
                hubCpu > 0 ? Math.Round(deliveries / hubCpu, 0) : 0);
            Say(string.Create(CultureInfo.InvariantCulture,
                $"load: {load.MessagesPerSecond:0} messages/s, {load.DeliveriesPerSecond:0} deliveries/s, "
                + $"p50 {load.LatencyP50Ms} ms, p99 {load.LatencyP99Ms} ms"));
            return load;
        }
        finally
        {
            await stop.CancelAsync();
            await CloseAllAsync(sockets, readers, stop);
        }
    }

    /// <summary>
    /// Keeps <see cref="CapacityProbeOptions.InFlight"/> messages of this client on their way: a slot is taken per
    /// send and given back when the client sees its own message come back (or an error in its place).
    /// </summary>
    private static async Task SendLoopAsync(CapacityProbeSocket socket, int client, string roomId, LoadRun run, CancellationToken stop)
    {
        long sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await run.Slots[client].WaitAsync(stop);
                var content = CapacityProbeFrames.Content(Stopwatch.GetTimestamp(), client, sequence++);
                await socket.SendAsync(
                    new ProbeSendFrame("client:send_message", roomId, content), CapacityProbeJson.Default.ProbeSendFrame, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // Stopped, or the hub went away; the reader reports the latter.
        }
    }

    private static async Task ReadDeliveriesAsync(CapacityProbeSocket socket, int client, LoadRun run, CancellationToken stop)
    {
        try
        {
            while (await socket.ReceiveAsync(stop) is { } frame)
            {
                var receivedAt = Stopwatch.GetTimestamp();
                if (CapacityProbeFrames.TryReadProbeMessage(frame.Span, out var sentAt, out var sender))
                {
                    run.Delivered(sentAt, receivedAt, own: sender == client);
                    if (sender == client)
                    {
                        run.Slots[client].Release();
                    }
                }
                else if (CapacityProbeFrames.ErrorCode(frame.Span) is { } code)
                {
                    run.Failed(code);
                    run.Slots[client].Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // Stopped, or cut off.
        }
    }

    private async Task<(string UserId, string Token)> CreateUserAsync(
        CapacityProbeApi api, string suffix, CancellationToken cancellationToken)
    {
        var username = $"probe-{_runId}-{suffix}";
        var password = "Pp1-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var userId = await api.CreateUserAsync(username, password, cancellationToken);
        _createdUsers.Add(userId);
        return await api.LoginAsync(username, password, cancellationToken);
    }

    private Task<long> ReadRssAsync(CapacityProbeApi api, CancellationToken cancellationToken) =>
        options.HubPid is { } pid ? Task.FromResult(ReadProcRss(pid)) : api.ReadRssMetricAsync(cancellationToken);

    /// <summary>
    /// CPU time the hub spent (user + system, from /proc/PID/stat), or 0 without --hub-pid. On a shared machine the hub
    /// may get only part of its core; deliveries per CPU-second says what a whole core would give.
    /// </summary>
    private double ReadHubCpuSeconds()
    {
        if (options.HubPid is not { } pid)
        {
            return 0;
        }

        // Fields after the parenthesised command name: state is 3rd, utime 14th and stime 15th (proc(5)).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }

    private static long ReadProcRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new CapacityProbeException($"/proc/{pid}/status has no VmRSS line");
    }

    private static async Task CloseAllAsync(CapacityProbeSocket?[] sockets, Task?[] readers, CancellationTokenSource stopReading)
    {
        await Task.WhenAll(sockets.Where(s => s is not null).Select(s => s!.CloseOutputAsync()));
        var reading = Task.WhenAll(readers.Where(r => r is not null)!);
        await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(5)));
        await stopReading.CancelAsync();
        foreach (var socket in sockets)
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }
        }
    }

    /// <summary>Best effort: a step that fails is reported and the others still run.</summary>
    private async Task CleanUpAsync(CapacityProbeApi api, Dictionary<string, string?> savedSettings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var steps = new List<(string What, Func<Task> Step)>
        {
            ("restore settings", () => api.ChangeSettingsAsync(savedSettings, timeout.Token)),
        };
        steps.AddRange(_createdRooms.Select(id => ($"delete room {id}", (Func<Task>)(() => api.DeleteRoomAsync(id, timeout.Token)))));
        steps.AddRange(_createdUsers.Select(id => ($"delete user {id}", (Func<Task>)(() => api.DeleteUserAsync(id, timeout.Token)))));
        foreach (var (what, step) in steps)
        {
            try
            {
                await step();
            }
            catch (Exception e) when (e is CapacityProbeException or HttpRequestException or OperationCanceledException)
            {
                Say($"cleanup: could not {what}: {e.Message}");
            }
        }
    }

    private void Say(string line) => progress.WriteLine($"probe: {line}");

    /// <summary>Counters shared by the readers and senders of phase (b); only what arrives inside the window counts.</summary>
    private sealed class LoadRun
    {
        private long _stored;
        private long _deliveries;
        private long _errors;
        private int _measuring;

        public LoadRun(int clients, int inFlight)
        {
            Slots = Enumerable.Range(0, clients).Select(_ => new SemaphoreSlim(inFlight, inFlight)).ToArray();
        }

        public SemaphoreSlim[] Slots { get; }
        public CapacityProbeLatency Latency { get; } = new();

        public void Delivered(long sentAt, long receivedAt, bool own)
        {
            if (Volatile.Read(ref _measuring) == 0)
            {
                return;
            }

            Interlocked.Increment(ref _deliveries);
            if (own)
            {
                Interlocked.Increment(ref _stored);
            }

            Latency.Record(sentAt, receivedAt);
        }

        /// <summary>The code of the first <c>server:error</c> seen (the limiter or the database saying no).</summary>
        public string? FirstError { get; private set; }

        public void Failed(string code)
        {
            FirstError ??= code;
            if (Volatile.Read(ref _measuring) == 1)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public Stopwatch StartWindow()
        {
            Volatile.Write(ref _measuring, 1);
            return Stopwatch.StartNew();
        }

        public (long Stored, long Deliveries, long Errors, TimeSpan Elapsed) EndWindow(Stopwatch window)
        {
            Volatile.Write(ref _measuring, 0);
            var elapsed = window.Elapsed;
            return (Interlocked.Read(ref _stored), Interlocked.Read(ref _deliveries), Interlocked.Read(ref _errors), elapsed);
        }
    }
}
