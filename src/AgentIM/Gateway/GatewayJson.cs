using System.Text.Json.Serialization;

namespace AgentIM.Gateway;

/// <summary>The gateway's login state in <c>config.json</c>. Field names are stable: other versions read the file.</summary>
public sealed record GatewaySettings(
    int Version,
    string ServerUrl,
    string ServerBaseUrl,
    string Token,
    string RefreshToken,
    string GatewayId,
    string? Username);

/// <summary>An agent this installation has registered, so a restart re-registers it under the same id.</summary>
public sealed record KnownAgent(string Id, string Name, string Type, string? WorkingDirectory);

/// <summary><c>agents.json</c>: the agent ids of this installation, by name.</summary>
public sealed record KnownAgentsFile(List<KnownAgent> Agents);

/// <summary>A custom adapter from <c>adapters.json</c> (gateway-cli.md §2): a command run per message.</summary>
public sealed record CustomAdapter(string Command, List<string>? Args, string? PromptVia, string? Description);

/// <summary><c>status.json</c>: what a running gateway last reported about itself, for <c>agentim status</c>.</summary>
public sealed record GatewayStatusFile(int Pid, string Server, string State, DateTime UpdatedAt, List<AgentStatusEntry> Agents);

/// <summary>One hosted agent in <c>status.json</c>.</summary>
public sealed record AgentStatusEntry(string Id, string Name, string Type, string Status, int QueueDepth);

/// <summary><c>daemons/&lt;name&gt;.json</c>: a detached gateway's pid and how it was started, for list, stop and rm.</summary>
public sealed record DaemonRecord(string Name, int Pid, DateTime StartedAt, List<string> Arguments, string LogFile);

/// <summary>Source-generated JSON for the gateway's own files (no reflection under native AOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewaySettings))]
[JsonSerializable(typeof(KnownAgentsFile))]
[JsonSerializable(typeof(GatewayStatusFile))]
[JsonSerializable(typeof(DaemonRecord))]
[JsonSerializable(typeof(Dictionary<string, CustomAdapter>))]
public sealed partial class GatewayJson : JsonSerializerContext;
