using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Realtime;
using AgentIM.Uploads;

namespace AgentIM.Messages;

/// <summary>
/// The changing side of /api/messages (rest-api.md #43, #45–47, #50); the route table is in <see cref="MessagesEndpoints"/>.
/// </summary>
public static class MessageChangeEndpoints
{
    /// <summary>
    /// Message text is counted in UTF-16 code units before cleaning, by the same limit the socket's send path uses (case B17).
    /// </summary>
    public const int MaxContentLength = ClientSocketHandler.MaxContentLength;

    public const int MaxEmojiLength = 8;
    public const int MaxBatch = 50;

    /// <summary>Adds or removes the caller's reaction; the room sees the message's new reactions.</summary>
    public static async Task<IResult> ToggleReactionAsync(
        string id,
        HttpContext context,
        MessageQueries queries,
        MessageChanges changes,
        MessageEvents events,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, MessagesJson.Default.ReactionRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        // Text PostgreSQL cannot store, or that is not text, is no emoji.
        var emoji = body.Value!.Emoji;
        if (emoji is null || emoji.Length is < 1 or > MaxEmojiLength || !ReferenceEquals(ContentSanitizer.CleanCodeUnits(emoji), emoji))
        {
            return Api.Error(400, MessagesEndpoints.InvalidEmoji);
        }

        var access = await queries.GetAccessAsync(id, context.Caller().UserId, cancellationToken);
        if (access is not { CallerIsMember: true })
        {
            return Api.NotFound(MessagesEndpoints.MessageNotFound);
        }

        switch (await changes.ToggleReactionAsync(id, context.Caller().UserId, emoji, cancellationToken))
        {
            case ReactionOutcome.MessageGone:
                return Api.NotFound(MessagesEndpoints.MessageNotFound);
            case ReactionOutcome.LimitReached:
                return Api.Error(400, MessagesEndpoints.ReactionLimit);
        }

        var reactions = await queries.ListReactionsAsync(id, cancellationToken);
        events.ReactionsChanged(access.RoomId, id, reactions);
        return Api.Ok(reactions, MessagesJson.Default.ApiOkListReactionDto);
    }

    /// <summary>
    /// The sender replaces the text of their message. The text is cleaned as on send (behaviour.md §9.1, case B17);
    /// mentions are not parsed again and no agent is triggered (behaviour.md §5).
    /// </summary>
    public static async Task<IResult> EditAsync(
        string id,
        HttpContext context,
        MessageQueries queries,
        MessageChanges changes,
        MessageEvents events,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await MessageTextBody.ReadAsync(context.Request, MessagesJson.Default.EditMessageRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var validation = new Validation();
        validation.RequiredString("content", body.Value!.Content, 1, MaxContentLength);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var userId = context.Caller().UserId;
        var access = await queries.GetAccessAsync(id, userId, cancellationToken);
        if (access is not { CallerIsMember: true })
        {
            return Api.NotFound(MessagesEndpoints.MessageNotFound);
        }

        if (!access.SentBy(userId))
        {
            return Api.Forbidden(MessagesEndpoints.OnlySenderEdits);
        }

        var content = ContentSanitizer.SanitizeContent(body.Value.Content!);
        if (string.IsNullOrWhiteSpace(content))
        {
            // The socket refuses a message that cleaning leaves blank; an edit cannot produce one either.
            return Api.Validation("content", "String must contain at least 1 character(s)");
        }

        var edited = await changes.EditAsync(id, userId, content, cancellationToken);
        if (edited is null)
        {
            return Api.NotFound(MessagesEndpoints.MessageNotFound);
        }

        events.Edited(edited);
        await audit.WriteAsync(
            context, userId, AuditActions.MessageEdit, id, AuditActions.MessageTarget, new AuditMetadata().Add("roomId", access.RoomId),
            cancellationToken);
        return Api.Ok(edited, MessagesJson.Default.ApiOkMessageDto);
    }

    public static async Task<IResult> DeleteAsync(
        string id,
        HttpContext context,
        MessageQueries queries,
        MessageChanges changes,
        MessageEvents events,
        UploadStorage files,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var userId = context.Caller().UserId;
        var access = await queries.GetAccessAsync(id, userId, cancellationToken);
        if (access is not { CallerIsMember: true })
        {
            return Api.NotFound(MessagesEndpoints.MessageNotFound);
        }

        if (!access.SentBy(userId))
        {
            return Api.Forbidden(MessagesEndpoints.OnlySenderDeletes);
        }

        var deleted = await changes.DeleteAsync(access.RoomId, [id], cancellationToken);
        Announce(deleted, events, files);
        await AuditDeletesAsync(context, audit, userId, deleted, cancellationToken);
        return Api.Done();
    }

    /// <summary>
    /// Deletes up to 50 messages of one room. A room owner or admin may delete any of them; others only their own
    /// user messages, the rest is skipped. Ids the caller cannot see count as unknown and are ignored.
    /// </summary>
    public static async Task<IResult> BatchDeleteAsync(
        HttpContext context,
        MessageQueries queries,
        MessageChanges changes,
        MessageEvents events,
        UploadStorage files,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, MessagesJson.Default.BatchDeleteRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var ids = body.Value!.MessageIds;
        var validation = new Validation();
        if (ids is null)
        {
            validation.Add("messageIds", "Required");
        }
        else if (ids.Count is < 1 or > MaxBatch)
        {
            validation.Add("messageIds", ids.Count < 1
                ? "Array must contain at least 1 element(s)"
                : $"Array must contain at most {MaxBatch} element(s)");
        }
        else
        {
            for (var i = 0; i < ids.Count; i++)
            {
                validation.RequiredString($"messageIds.{i}", ids[i], 1, 100);
            }
        }

        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var userId = context.Caller().UserId;
        var found = await queries.GetAccessAsync(ids!.Select(i => i!).ToList(), userId, cancellationToken);
        if (found.Count == 0)
        {
            return Api.Ok(new BatchDeleted(0), MessagesJson.Default.ApiOkBatchDeleted);
        }

        var roomId = found[0].RoomId;
        if (found.Any(m => m.RoomId != roomId))
        {
            return Api.Error(400, MessagesEndpoints.SameRoomRequired);
        }

        var privileged = found[0].CallerRole is "owner" or "admin";
        var allowed = privileged ? found : found.Where(m => m.SentBy(userId)).ToList();
        if (allowed.Count == 0)
        {
            return Api.Forbidden(MessagesEndpoints.NoDeletePermission);
        }

        var deleted = await changes.DeleteAsync(roomId, allowed.Select(m => m.Id).ToList(), cancellationToken);
        Announce(deleted, events, files);
        await AuditDeletesAsync(context, audit, userId, deleted, cancellationToken);
        return Api.Ok(new BatchDeleted(deleted.Messages.Count), MessagesJson.Default.ApiOkBatchDeleted);
    }

    /// <summary>
    /// Posts a copy of a message into another room the caller is in, as the caller's own text message; the target
    /// room sees it as a new message, and no agent is routed (rest-api.md #50).
    /// </summary>
    public static async Task<IResult> ForwardAsync(
        string id,
        HttpContext context,
        MessageQueries queries,
        MessageStore messages,
        MessageEvents events,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, MessagesJson.Default.ForwardRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var validation = new Validation();
        validation.RequiredString("targetRoomId", body.Value!.TargetRoomId, 1, 100);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var caller = context.Caller();
        var source = await queries.GetAccessAsync(id, caller.UserId, cancellationToken);
        if (source is not { CallerIsMember: true })
        {
            return Api.NotFound(MessagesEndpoints.MessageNotFound);
        }

        var targetRoomId = body.Value.TargetRoomId!;
        if (targetRoomId == source.RoomId)
        {
            return Api.Error(400, MessagesEndpoints.SameRoomForward);
        }

        var content = ContentSanitizer.SanitizeContent($"[Forwarded from {source.SenderName}]\n\n{source.Content}");
        using var turn = messages.Order.Begin(targetRoomId);
        var (stored, failure) = await messages.InsertUserMessageAsync(
            new NewUserMessage(targetRoomId, caller.UserId, caller.Username, content, [], null, []), turn, cancellationToken);
        if (failure != SendFailure.None)
        {
            return Api.NotFound(MessagesEndpoints.RoomNotFound);
        }

        await turn.AnnounceAsync(() => events.Forwarded(stored!.Message));
        return Api.Ok(stored!.Message, MessagesJson.Default.ApiOkMessageDto, StatusCodes.Status201Created);
    }

    private static void Announce(DeletedMessages deleted, MessageEvents events, UploadStorage files)
    {
        files.DeleteUrls(deleted.AttachmentUrls);
        foreach (var (messageId, roomId) in deleted.Messages)
        {
            events.Deleted(roomId, messageId);
        }
    }

    /// <summary>One <c>message_delete</c> audit row per message removed (data-model.md §2.19).</summary>
    private static async Task AuditDeletesAsync(
        HttpContext context, AuditLog audit, string userId, DeletedMessages deleted, CancellationToken cancellationToken)
    {
        foreach (var (messageId, roomId) in deleted.Messages)
        {
            await audit.WriteAsync(
                context, userId, AuditActions.MessageDelete, messageId, AuditActions.MessageTarget,
                new AuditMetadata().Add("roomId", roomId), cancellationToken);
        }
    }
}
