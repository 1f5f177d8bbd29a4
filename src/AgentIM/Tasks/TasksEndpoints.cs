using System.Text.RegularExpressions;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;
using AgentIM.Realtime;

namespace AgentIM.Tasks;

/// <summary>
/// /api/tasks (rest-api.md §8). Unlike upstream, REST changes are announced to the room with
/// <c>server:task_update</c>, as gateway changes are. A room or task the caller is not in answers 404, not 403
/// (behaviour.md §15); 403 is for members who lack the right.
/// </summary>
public static partial class TasksEndpoints
{
    // Error texts are part of the contract; clients and tests rely on them.
    public const string RoomNotFound = "Room not found";
    public const string TaskNotFound = "Task not found";
    public const string AssigneeNotMember = "Assignee is not a member of this room";
    public const string AssigneeIdRequired = "assigneeId is required when assigneeType is set";
    public const string AssigneeInvalidForType = "Current assignee is not valid for the new assigneeType; provide a new assigneeId";
    public const string DetailsForbidden = "Only task creator, assignee, or room admin can modify task details";
    public const string DeleteForbidden = "Only task creator or room admin can delete";

    private static readonly string[] Statuses = ["pending", "in_progress", "completed", "failed", "cancelled"];
    private static readonly string[] AssigneeTypes = ["user", "agent"];

    public static IEndpointRouteBuilder MapTasks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks").RequireBearer();
        group.MapGet("/", ListMineAsync);
        group.MapGet("/rooms/{roomId}", ListRoomAsync);
        group.MapPost("/rooms/{roomId}", CreateAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> ListMineAsync(HttpContext context, TaskStore tasks, CancellationToken cancellationToken)
    {
        var paging = QueryPaging.Read(context.Request.Query, defaultLimit: 50, maxLimit: 100);
        var list = await tasks.ListForUserAsync(context.Caller().UserId, paging, cancellationToken);
        return Api.Ok(list, TasksJson.Default.ApiOkListTaskDto);
    }

    private static async Task<IResult> ListRoomAsync(
        string roomId, HttpContext context, TaskStore tasks, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(roomId))
        {
            return Api.InvalidParameter("roomId");
        }

        if (await tasks.GetRoomRoleAsync(roomId, context.Caller().UserId, cancellationToken) is null)
        {
            return Api.NotFound(RoomNotFound);
        }

        var paging = QueryPaging.Read(context.Request.Query, defaultLimit: 50, maxLimit: 100);
        var list = await tasks.ListForRoomAsync(roomId, paging, cancellationToken);
        return Api.Ok(list, TasksJson.Default.ApiOkListTaskDto);
    }

    private static async Task<IResult> CreateAsync(
        string roomId, HttpContext context, TaskStore tasks, ConnectionRegistry registry, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(roomId))
        {
            return Api.InvalidParameter("roomId");
        }

        var body = await JsonBody.ReadAsync(context.Request, TasksJson.Default.CreateTaskRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        Title(validation, request.Title, required: true);
        validation.OptionalString("description", request.Description, 0, 10_000);
        var dueDate = DueDate(validation, request.DueDate);
        validation.OptionalString("assigneeId", request.AssigneeId, 1, 100);
        validation.OneOf("assigneeType", request.AssigneeType, AssigneeTypes);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var title = ContentSanitizer.SanitizeText(request.Title!);
        if (title.Length == 0)
        {
            return Api.Validation("title", "validation.titleWhitespace");
        }

        var caller = context.Caller().UserId;
        if (await tasks.GetRoomRoleAsync(roomId, caller, cancellationToken) is null)
        {
            return Api.NotFound(RoomNotFound);
        }

        // An assignee type without an assignee means nothing: the pair is stored together or not at all.
        var assigneeType = request.AssigneeId is null ? null : request.AssigneeType ?? "user";
        if (request.AssigneeId is not null && !await tasks.IsAssignableAsync(roomId, request.AssigneeId, assigneeType!, cancellationToken))
        {
            return Api.Error(400, AssigneeNotMember);
        }

        var now = Clock.UtcNow();
        var task = new TaskDto
        {
            Id = Ids.New(),
            RoomId = roomId,
            Title = title,
            Description = request.Description is null ? "" : ContentSanitizer.SanitizeContent(request.Description),
            Status = "pending",
            DueDate = dueDate,
            AssigneeId = request.AssigneeId,
            AssigneeType = assigneeType,
            CreatedById = caller,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await tasks.InsertAsync(task, cancellationToken);
        Announce(task, registry);
        return Api.Ok(task, TasksJson.Default.ApiOkTaskDto, StatusCodes.Status201Created);
    }

    /// <summary>
    /// Any member may move a task's status; everything else only its creator, its assignee, or a room owner/admin.
    /// A finished or cancelled task cannot go back to in_progress.
    /// </summary>
    private static async Task<IResult> UpdateAsync(
        string id, HttpContext context, TaskStore tasks, ConnectionRegistry registry, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, TasksJson.Default.UpdateTaskRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        if (request.HasTitle)
        {
            Title(validation, request.Title, required: true);
        }

        if (request.HasDescription)
        {
            NotNull(validation, "description", request.Description);
            validation.OptionalString("description", request.Description, 0, 10_000);
        }

        if (request.HasStatus && NotNull(validation, "status", request.Status))
        {
            validation.OneOf("status", request.Status, Statuses);
        }

        validation.OptionalString("result", request.Result, 0, 100_000);
        var dueDate = DueDate(validation, request.DueDate);
        validation.OptionalString("assigneeId", request.AssigneeId, 1, 100);
        validation.OneOf("assigneeType", request.AssigneeType, AssigneeTypes);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        string? title = null;
        if (request.Title is not null)
        {
            title = ContentSanitizer.SanitizeText(request.Title);
            if (title.Length == 0)
            {
                return Api.Validation("title", "validation.titleWhitespace");
            }
        }

        var caller = context.Caller().UserId;
        if (await tasks.GetWithRoleAsync(id, caller, cancellationToken) is not { Role: { } role, Task: var task })
        {
            return Api.NotFound(TaskNotFound);
        }

        var isAssignee = task.AssigneeId == caller && task.AssigneeType == "user";
        if (request.ChangesDetails && task.CreatedById != caller && !isAssignee && role is not ("owner" or "admin"))
        {
            return Api.Forbidden(DetailsForbidden);
        }

        if (request.Status == "in_progress" && task.Status is "completed" or "cancelled")
        {
            return Api.Error(400, $"Cannot transition from \"{task.Status}\" to \"in_progress\"");
        }

        var (assignee, failure) = await ResolveAssigneeAsync(request, task, tasks, cancellationToken);
        if (failure is not null)
        {
            return Api.Error(400, failure);
        }

        var updated = task with
        {
            Title = title ?? task.Title,
            Description = request.Description is null ? task.Description : ContentSanitizer.SanitizeContent(request.Description),
            Status = request.Status ?? task.Status,
            Result = request.HasResult ? request.Result : task.Result,
            DueDate = request.HasDueDate ? dueDate : task.DueDate,
            AssigneeId = assignee.Id,
            AssigneeType = assignee.Type,
            UpdatedAt = Clock.UtcNow(),
        };
        if (!await tasks.UpdateAsync(updated, cancellationToken))
        {
            return Api.NotFound(TaskNotFound);
        }

        Announce(updated, registry);
        return Api.Ok(updated, TasksJson.Default.ApiOkTaskDto);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, TaskStore tasks, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var caller = context.Caller().UserId;
        if (await tasks.GetWithRoleAsync(id, caller, cancellationToken) is not { Role: { } role, Task: var task })
        {
            return Api.NotFound(TaskNotFound);
        }

        if (task.CreatedById != caller && role is not ("owner" or "admin"))
        {
            return Api.Forbidden(DeleteForbidden);
        }

        // There is no deletion frame in the protocol; clients learn of it by listing again.
        return await tasks.DeleteAsync(id, cancellationToken) ? Api.Done() : Api.NotFound(TaskNotFound);
    }

    /// <summary>
    /// The assignee after the update. Setting either of <c>assigneeId</c>/<c>assigneeType</c> to null clears both;
    /// a new id keeps the given type, else the current one, else "user"; a new type alone must suit the current id.
    /// </summary>
    private static async Task<((string? Id, string? Type) Assignee, string? Failure)> ResolveAssigneeAsync(
        UpdateTaskRequest request, TaskDto task, TaskStore tasks, CancellationToken cancellationToken)
    {
        if ((request.HasAssigneeId && request.AssigneeId is null) || (request.HasAssigneeType && request.AssigneeType is null))
        {
            return ((null, null), null);
        }

        if (request.AssigneeId is { } assigneeId)
        {
            var type = request.AssigneeType ?? task.AssigneeType ?? "user";
            return await tasks.IsAssignableAsync(task.RoomId, assigneeId, type, cancellationToken)
                ? ((assigneeId, type), null)
                : ((null, null), AssigneeNotMember);
        }

        if (request.AssigneeType is { } newType)
        {
            if (task.AssigneeId is null)
            {
                return ((null, null), AssigneeIdRequired);
            }

            if (newType != task.AssigneeType && !await tasks.IsAssignableAsync(task.RoomId, task.AssigneeId, newType, cancellationToken))
            {
                return ((null, null), AssigneeInvalidForType);
            }

            return ((task.AssigneeId, newType), null);
        }

        return ((task.AssigneeId, task.AssigneeType), null);
    }

    private static void Announce(TaskDto task, ConnectionRegistry registry) =>
        registry.SendToRoom(task.RoomId, Frames.Serialize(new TaskUpdateFrame(task), TaskFramesJson.Default.TaskUpdateFrame));

    private static void Title(Validation validation, string? title, bool required)
    {
        if (required && title is null)
        {
            validation.Add("title", "Required");
            return;
        }

        if (validation.OptionalString("title", title, 1, 200))
        {
            validation.NotBlank("title", title, "validation.titleWhitespace");
        }
    }

    private static bool NotNull(Validation validation, string field, string? value)
    {
        if (value is null)
        {
            validation.Add(field, "Expected string, received null");
            return false;
        }

        return true;
    }

    /// <summary>The contract accepts only the UTC "Z" form of ISO-8601 (what JavaScript's toISOString writes).</summary>
    private static DateTime? DueDate(Validation validation, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!IsoUtc().IsMatch(value) || !UtcTimestampConverter.TryParse(value, out var parsed))
        {
            validation.Add("dueDate", "Invalid datetime");
            return null;
        }

        return Clock.Truncate(parsed);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")]
    private static partial Regex IsoUtc();
}
