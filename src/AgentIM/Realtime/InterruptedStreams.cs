using System.Text.Json;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;
using AgentIM.Metrics;

namespace AgentIM.Realtime;

/// <summary>
/// Ends replies that can no longer finish (their gateway is gone, or the hub is stopping): the room gets an error
/// chunk, then the text so far is stored as the reply and announced with <c>server:message_complete</c>, so no
/// message is left "streaming" for ever (case B05, issue #4). A gateway that comes back and completes the reply
/// later updates the same row (case B03).
/// </summary>
public sealed class InterruptedStreams(
    ConnectionRegistry registry, MessageStore messages, HubMetrics metrics, ILogger<InterruptedStreams> logger)
{
    public const string AgentGone = "The agent disconnected before finishing this reply.";
    public const string HubStopping = "The server is shutting down; this reply was cut short.";

    private const int MaxStoredText = 200_000;

    public async Task EndAsync(IReadOnlyList<ReplayStream> streams, string reason, CancellationToken cancellationToken)
    {
        foreach (var stream in streams)
        {
            var error = new ChunkDto("error", reason, null);
            var chunk = new MessageChunkFrame(stream.RoomId, stream.AgentId, stream.AgentName, stream.MessageId, error);
            registry.SendToRoom(stream.RoomId, Frames.Serialize(chunk, WireJson.Default.MessageChunkFrame));

            var text = stream.Text.Length > MaxStoredText ? stream.Text.ToString(0, MaxStoredText) : stream.Text.ToString();
            var content = text.Length == 0 ? reason : $"{text}\n\n{reason}";
            List<ChunkDto> chunks = text.Length == 0 ? [error] : [new ChunkDto("text", text, null), error];
            using var turn = messages.Order.Begin(stream.RoomId);
            try
            {
                var message = await messages.UpsertAgentCompletionAsync(
                    new AgentCompletion(
                        stream.MessageId, stream.RoomId, stream.AgentId, stream.AgentName, content,
                        JsonSerializer.Serialize(chunks, ApiJson.Default.ListChunkDto)),
                    turn,
                    cancellationToken);
                metrics.AgentMessageStored();
                await turn.AnnounceAsync(() => registry.SendToRoom(
                    message.RoomId, Frames.Serialize(new MessageCompleteFrame(message), WireJson.Default.MessageCompleteFrame)));
            }
            catch (Exception e) when (DbErrors.IsForeignKeyViolation(e) || DbErrors.IsUnavailable(e) || e is OperationCanceledException)
            {
                // The room is gone (nothing to store into) or the database is: the clients have the error chunk.
                RealtimeLog.InterruptedStreamNotStored(logger, stream.MessageId, stream.RoomId, e);
            }
        }
    }
}
