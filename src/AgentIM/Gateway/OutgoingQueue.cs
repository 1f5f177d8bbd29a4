namespace AgentIM.Gateway;

/// <summary>How much a queued frame matters when the queue is full (gateway-cli.md §4.3).</summary>
public enum FramePriority
{
    Normal,
    High,
    Critical,
}

/// <summary>
/// The frames waiting for the socket: bounded, first in first out, flushed once the link is authenticated.
/// When full, a critical frame (register, completion, permission request) evicts the oldest normal frame, else the
/// oldest high one; a high frame (chunk, status) evicts the oldest normal one or is dropped; a normal frame is
/// dropped. A critical frame that finds only critical frames is refused, and the caller retries it later.
/// </summary>
public sealed class OutgoingQueue(int capacity)
{
    private readonly LinkedList<(string Frame, FramePriority Priority)> _frames = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _available = new(0);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _frames.Count;
            }
        }
    }

    /// <summary>Frames dropped or evicted because the queue was full.</summary>
    public int Dropped { get; private set; }

    /// <summary>Adds a frame; false when it had to be dropped (or, for a critical frame, refused).</summary>
    public bool TryEnqueue(string frame, FramePriority priority)
    {
        lock (_lock)
        {
            if (_frames.Count >= capacity && !MakeRoom(priority))
            {
                Dropped++;
                return false;
            }

            _frames.AddLast((frame, priority));
        }

        _available.Release();
        return true;
    }

    /// <summary>Waits for a frame and returns it without removing it; <see cref="Remove"/> it once sent.</summary>
    public async Task<string> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_frames.First is { } first)
                {
                    // Keep the count in step with the frames: the frame stays until it is removed.
                    _available.Release();
                    return first.Value.Frame;
                }
            }
        }
    }

    /// <summary>Removes the frame <see cref="PeekAsync"/> returned (if it is still first: eviction may have taken it).</summary>
    public void Remove(string frame)
    {
        lock (_lock)
        {
            if (_frames.First is { } first && ReferenceEquals(first.Value.Frame, frame))
            {
                _frames.RemoveFirst();
                _available.Wait(0);
            }
        }
    }

    private bool MakeRoom(FramePriority priority)
    {
        if (priority == FramePriority.Normal)
        {
            return false;
        }

        if (RemoveOldest(FramePriority.Normal))
        {
            return true;
        }

        return priority == FramePriority.Critical && RemoveOldest(FramePriority.High);
    }

    private bool RemoveOldest(FramePriority priority)
    {
        for (var node = _frames.First; node is not null; node = node.Next)
        {
            if (node.Value.Priority == priority)
            {
                _frames.Remove(node);
                _available.Wait(0);
                Dropped++;
                return true;
            }
        }

        return false;
    }
}
