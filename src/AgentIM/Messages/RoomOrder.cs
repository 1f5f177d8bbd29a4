using AgentIM.Infrastructure;

namespace AgentIM.Messages;

/// <summary>
/// The order of each room's new messages on this node. Storing a message takes a turn in its room: the turn's clock is
/// a millisecond after the previous turn's (never more than a second ahead of the time), and the stored message is
/// announced only once the previous turn's message was. So a room hears its messages in createdAt order, without ties,
/// even when many are sent at once; a client that saw message x and asks for <c>after=x.createdAt</c> gets exactly
/// what was announced after x (README "Recovery after a reconnect"). The clock is this node's: rows of other nodes
/// (or imports) are not followed, since a statement that followed the table could overtake a later turn of ours whose
/// row it sees; nodes share one time through NTP, and their messages tie only within its error. A room is forgotten
/// once it is quiet and the time has passed its last clock, so after a restart (which takes longer than the second
/// a flood may run ahead) the clock alone is enough.
/// </summary>
public sealed class RoomOrder
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxAhead = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    /// <summary>Rooms with a turn in progress, or whose last clock the time has not passed yet.</summary>
    public int TrackedRooms
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Takes the next turn of <paramref name="roomId"/>; dispose it once the message is announced (or not stored).</summary>
    public RoomTurn Begin(string roomId) => Begin(roomId, Clock.UtcNow());

    internal RoomTurn Begin(string roomId, DateTime now)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out var room))
            {
                _rooms[roomId] = room = new RoomState();
            }

            var next = room.Last == default ? now : room.Last + Step;
            var at = next < now ? now : next > now + MaxAhead ? now + MaxAhead : next;
            room.Last = at;
            room.Open++;
            var turn = new RoomTurn(this, roomId, room, at, room.Tail);
            room.Tail = turn.Announced;
            return turn;
        }
    }

    internal void End(string roomId, RoomState room)
    {
        lock (_gate)
        {
            // Forget a quiet room once the time has moved past its last clock: a later message starts from the clock, and
            // the clock is then later than anything this room was given.
            if (--room.Open == 0 && room.Last < Clock.UtcNow() && _rooms.TryGetValue(roomId, out var current) && current == room)
            {
                _rooms.Remove(roomId);
            }
        }
    }

    internal sealed class RoomState
    {
        public DateTime Last;
        public int Open;
        public Task Tail = Task.CompletedTask;
    }
}

/// <summary>One message's turn in its room (see <see cref="RoomOrder"/>).</summary>
public sealed class RoomTurn : IDisposable
{
    private readonly RoomOrder _order;
    private readonly string _roomId;
    private readonly RoomOrder.RoomState _room;
    private readonly TaskCompletionSource _announced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ended;

    internal RoomTurn(RoomOrder order, string roomId, RoomOrder.RoomState room, DateTime clock, Task previous)
    {
        _order = order;
        _roomId = roomId;
        _room = room;
        Clock = clock;
        Previous = previous;
    }

    /// <summary>The time to store the message at (whole milliseconds, as the wire's createdAt).</summary>
    public DateTime Clock { get; }

    /// <summary>Completes when the room's previous message has been announced, or was not stored after all.</summary>
    public Task Previous { get; }

    internal Task Announced => _announced.Task;

    /// <summary>
    /// Runs <paramref name="announce"/> (the broadcast of the stored message) once the room's previous message has been
    /// announced, then lets the next one go.
    /// </summary>
    public async Task AnnounceAsync(Action announce)
    {
        await Previous;
        try
        {
            announce();
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Lets the next message of the room be announced.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _announced.TrySetResult();
            _order.End(_roomId, _room);
        }
    }
}
