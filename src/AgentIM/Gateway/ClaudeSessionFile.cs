using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>
/// The Claude Code session of each room, so a room resumes its conversation after the process ends or the gateway
/// restarts (gateway-cli.md §7.1). Kept in <c>&lt;workdir&gt;/.claude/.agentim-sessions.json</c> as
/// <c>{"roomId": "sessionId"}</c> (the real gateway's file; its shape is stable); in memory only without a folder.
/// </summary>
public sealed class ClaudeSessionFile(string? workingDirectory)
{
    private readonly Dictionary<string, string> _memory = [];
    private readonly Lock _lock = new();

    private string? Path => workingDirectory is null ? null : System.IO.Path.Combine(workingDirectory, ".claude", ".agentim-sessions.json");

    public string? Get(string roomId)
    {
        lock (_lock)
        {
            return Load().GetValueOrDefault(roomId);
        }
    }

    /// <summary>Remembers (or, with null, forgets) a room's session.</summary>
    public void Set(string roomId, string? sessionId)
    {
        lock (_lock)
        {
            var sessions = Load();
            if (sessionId is null ? !sessions.Remove(roomId) : sessions.GetValueOrDefault(roomId) == sessionId)
            {
                return;
            }

            if (sessionId is not null)
            {
                sessions[roomId] = sessionId;
            }

            Save(sessions);
        }
    }

    /// <summary>Forgets every room's session (the hub's stop: the next message starts a fresh conversation).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Save([]);
        }
    }

    private Dictionary<string, string> Load()
    {
        if (Path is not { } path)
        {
            return _memory;
        }

        var sessions = new Dictionary<string, string>();
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject saved)
            {
                foreach (var (room, value) in saved)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var id))
                    {
                        sessions[room] = id;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // No file yet, or one we cannot read: start without sessions rather than fail the reply.
        }

        return sessions;
    }

    private void Save(Dictionary<string, string> sessions)
    {
        if (Path is not { } path)
        {
            if (!ReferenceEquals(sessions, _memory))
            {
                _memory.Clear();
                foreach (var (room, id) in sessions)
                {
                    _memory[room] = id;
                }
            }

            return;
        }

        var json = new JsonObject();
        foreach (var (room, id) in sessions)
        {
            json[room] = id;
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            File.WriteAllText(temp, json.ToJsonString());
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only project folder: sessions then last as long as the process.
        }
    }
}
