using System.Diagnostics;
using System.Text;

namespace AgentIM.Realtime;

/// <summary>A reply still streaming into a room: its chunk frames as they were broadcast, and its text so far.</summary>
public sealed class ReplayStream(string roomId, string messageId, string agentId, string agentName)
{
    public string RoomId { get; } = roomId;
    public string MessageId { get; } = messageId;
    public string AgentId { get; } = agentId;
    public string AgentName { get; } = agentName;

    /// <summary>The serialized <c>server:message_chunk</c> frames, oldest first; empty once <see cref="Overflowed"/>.</summary>
    public List<byte[]> Frames { get; } = [];

    /// <summary>The text chunks joined, kept to store what was said if the stream is cut short.</summary>
    public StringBuilder Text { get; } = new();

    public long Bytes { get; set; }

    /// <summary>Past its cap: no longer replayed (a partial replay would leave a gap), still known so it can be ended.</summary>
    public bool Overflowed { get; set; }

    public long LastActivity { get; set; }
}

/// <summary>
/// Recovery after a reconnect: per room, the chunk frames of every reply still streaming, so a socket that joins
/// mid-stream first gets what it missed. Not thread-safe: <see cref="ConnectionRegistry"/> calls it under its lock,
/// the same lock a join takes, so a joining socket sees each chunk exactly once (in the replay or live).
/// Bounded per stream, per room and in total; a stream is dropped on completion, on a stream error, when its room
/// is deleted, and after <see cref="IdleLifetime"/> without a chunk.
/// </summary>
public sealed class StreamReplay
{
    /// <summary>Bytes kept per stream (frames and text); a longer stream overflows and is no longer replayed.</summary>
    public const long MaxBytesPerStream = 2L * 1024 * 1024;

    /// <summary>Bytes of frames kept per room, below a socket's 8 MiB send queue so a replay never cuts the joiner off.</summary>
    public const long MaxBytesPerRoom = 4L * 1024 * 1024;

    /// <summary>Bytes of frames kept for the whole node; past it the longest-idle streams are dropped.</summary>
    public const long MaxBytesTotal = 64L * 1024 * 1024;

    public static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Dictionary<string, ReplayStream>> _byRoom = [];
    private long _lastSweep = Stopwatch.GetTimestamp();

    public long TotalBytes { get; private set; }

    public int StreamCount { get; private set; }

    /// <summary>Records one broadcast chunk frame of a stream (starting the stream on its first chunk).</summary>
    public void Append(string roomId, string messageId, string agentId, string agentName, byte[] frame, string? text)
    {
        var now = Stopwatch.GetTimestamp();
        SweepIfDue(now);
        if (!_byRoom.TryGetValue(roomId, out var streams))
        {
            streams = [];
            _byRoom[roomId] = streams;
        }

        if (!streams.TryGetValue(messageId, out var stream))
        {
            stream = new ReplayStream(roomId, messageId, agentId, agentName);
            streams[messageId] = stream;
            StreamCount++;
        }

        stream.LastActivity = now;
        if (stream.Overflowed)
        {
            return;
        }

        // The text is kept beside the frames (UTF-16, two bytes a character) and counts against the same caps.
        var cost = frame.Length + (2L * (text?.Length ?? 0));
        var roomBytes = streams.Values.Sum(s => s.Bytes);
        if (stream.Bytes + cost > MaxBytesPerStream || roomBytes + cost > MaxBytesPerRoom)
        {
            Overflow(stream);
            return;
        }

        stream.Frames.Add(frame);
        stream.Text.Append(text);
        stream.Bytes += cost;
        TotalBytes += cost;
        while (TotalBytes > MaxBytesTotal && LongestIdle() is { } victim)
        {
            Overflow(victim);
        }
    }

    /// <summary>Every replayable frame of the room's streams, each stream's frames in order.</summary>
    public List<byte[]> Snapshot(string roomId)
    {
        SweepIfDue(Stopwatch.GetTimestamp());
        if (!_byRoom.TryGetValue(roomId, out var streams))
        {
            return [];
        }

        return streams.Values.Where(s => !s.Overflowed).SelectMany(s => s.Frames).ToList();
    }

    /// <summary>Forgets a stream (completed or failed); returns it, or null when it was not buffered.</summary>
    public ReplayStream? Remove(string roomId, string messageId)
    {
        if (!_byRoom.TryGetValue(roomId, out var streams) || !streams.Remove(messageId, out var stream))
        {
            return null;
        }

        if (streams.Count == 0)
        {
            _byRoom.Remove(roomId);
        }

        Forget(stream);
        return stream;
    }

    /// <summary>Forgets and returns every stream that matches (a room deleted, an agent gone, the hub stopping).</summary>
    public List<ReplayStream> RemoveWhere(Func<ReplayStream, bool> match)
    {
        var removed = _byRoom.Values.SelectMany(s => s.Values).Where(match).ToList();
        foreach (var stream in removed)
        {
            Remove(stream.RoomId, stream.MessageId);
        }

        return removed;
    }

    private void Overflow(ReplayStream stream)
    {
        TotalBytes -= stream.Bytes;
        stream.Bytes = 0;
        stream.Frames.Clear();
        stream.Frames.TrimExcess();
        stream.Text.Clear();
        stream.Overflowed = true;
    }

    private void Forget(ReplayStream stream)
    {
        TotalBytes -= stream.Bytes;
        StreamCount--;
    }

    private ReplayStream? LongestIdle() =>
        _byRoom.Values.SelectMany(s => s.Values).Where(s => !s.Overflowed && s.Bytes > 0).MinBy(s => s.LastActivity);

    private void SweepIfDue(long now)
    {
        if (Stopwatch.GetElapsedTime(_lastSweep, now) < SweepEvery)
        {
            return;
        }

        _lastSweep = now;
        RemoveWhere(s => Stopwatch.GetElapsedTime(s.LastActivity, now) > IdleLifetime);
    }
}
