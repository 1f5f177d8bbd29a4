using System.Text.Json.Serialization;

namespace AgentIM.Tasks;

/// <summary>
/// A task row (rest-api.md §0.5). REST writes the absent values as null; <c>server:task_update</c> omits them,
/// because the web client drops a frame holding a null where it expects an optional value (websocket.md §8.2).
/// </summary>
public sealed record TaskDto
{
    public required string Id { get; init; }
    public required string RoomId { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string Status { get; init; }
    public string? Result { get; init; }
    public DateTime? DueDate { get; init; }
    public string? AssigneeId { get; init; }
    public string? AssigneeType { get; init; }
    public required string CreatedById { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}

public sealed record CreateTaskRequest(string? Title, string? Description, string? DueDate, string? AssigneeId, string? AssigneeType);

/// <summary>
/// <c>PUT /api/tasks/:id</c>. Every field is optional and several may be set to null on purpose, so each setter
/// records that the field was present: absent means "unchanged", null means "clear".
/// </summary>
public sealed class UpdateTaskRequest
{
    private string? _title;
    private string? _description;
    private string? _status;
    private string? _result;
    private string? _dueDate;
    private string? _assigneeId;
    private string? _assigneeType;

    public string? Title { get => _title; set => (_title, HasTitle) = (value, true); }
    public string? Description { get => _description; set => (_description, HasDescription) = (value, true); }
    public string? Status { get => _status; set => (_status, HasStatus) = (value, true); }
    public string? Result { get => _result; set => (_result, HasResult) = (value, true); }
    public string? DueDate { get => _dueDate; set => (_dueDate, HasDueDate) = (value, true); }
    public string? AssigneeId { get => _assigneeId; set => (_assigneeId, HasAssigneeId) = (value, true); }
    public string? AssigneeType { get => _assigneeType; set => (_assigneeType, HasAssigneeType) = (value, true); }

    [JsonIgnore] public bool HasTitle { get; private set; }
    [JsonIgnore] public bool HasDescription { get; private set; }
    [JsonIgnore] public bool HasStatus { get; private set; }
    [JsonIgnore] public bool HasResult { get; private set; }
    [JsonIgnore] public bool HasDueDate { get; private set; }
    [JsonIgnore] public bool HasAssigneeId { get; private set; }
    [JsonIgnore] public bool HasAssigneeType { get; private set; }

    /// <summary>Whether anything besides <c>status</c> changes: only the creator, the assignee or a room admin may.</summary>
    [JsonIgnore]
    public bool ChangesDetails => HasTitle || HasDescription || HasResult || HasDueDate || HasAssigneeId || HasAssigneeType;
}

/// <summary>A task and the caller's role in its room (null when the caller is not in the room).</summary>
public sealed record TaskAccess(TaskDto Task, string? Role);
