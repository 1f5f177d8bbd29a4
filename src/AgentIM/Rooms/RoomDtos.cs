using System.Text.Json.Serialization;

namespace AgentIM.Rooms;

/// <summary>A room row (rest-api.md §0.5); <c>pinnedAt</c>/<c>archivedAt</c> are the caller's own and only in lists.</summary>
public sealed record RoomDto
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required bool BroadcastMode { get; init; }
    public string? SystemPrompt { get; init; }
    public string? RouterId { get; init; }
    public required string AgentCommandRole { get; init; }
    public required string CreatedById { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
}

public sealed record RoomListItem
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required bool BroadcastMode { get; init; }
    public string? SystemPrompt { get; init; }
    public string? RouterId { get; init; }
    public required string AgentCommandRole { get; init; }
    public required string CreatedById { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public DateTime? PinnedAt { get; init; }
    public DateTime? ArchivedAt { get; init; }
}

public sealed record RoomMemberDto
{
    public required string RoomId { get; init; }
    public required string MemberId { get; init; }
    public required string MemberType { get; init; }
    public required string Role { get; init; }
    public string? RoleDescription { get; init; }
    public required string NotificationPref { get; init; }
    public DateTime? PinnedAt { get; init; }
    public DateTime? ArchivedAt { get; init; }
    public DateTime? LastReadAt { get; init; }
    public DateTime? ClearedAt { get; init; }
    public required DateTime JoinedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DisplayName { get; init; }
}

/// <summary><c>GET /api/rooms/:id</c> data: the room with its members.</summary>
public sealed record RoomDetail
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required bool BroadcastMode { get; init; }
    public string? SystemPrompt { get; init; }
    public string? RouterId { get; init; }
    public required string AgentCommandRole { get; init; }
    public required string CreatedById { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public required IReadOnlyList<RoomMemberDto> Members { get; init; }
    public required int TotalMembers { get; init; }
}

/// <summary>A member as message routing sees it: users by username, agents by name with their status.</summary>
public sealed record RoutingMember(string Id, string MemberType, string Name, string? Status, string Role)
{
    public bool IsAgent => MemberType == "agent";
}

public sealed record CreateRoomRequest(
    string? Name, string? Type, bool? BroadcastMode, string? SystemPrompt, string? RouterId, string? AgentCommandRole,
    List<string>? MemberIds);

public sealed record AddMemberRequest(string? MemberId, string? MemberType, string? Role, string? RoleDescription);

/// <summary>
/// <c>PUT /api/rooms/:id</c>. <c>systemPrompt</c> and <c>routerId</c> are <see cref="System.Text.Json.JsonElement"/>s so
/// an absent key (leave as is) differs from an explicit <c>null</c> (clear it).
/// </summary>
public sealed record UpdateRoomRequest(
    string? Name,
    bool? BroadcastMode,
    System.Text.Json.JsonElement SystemPrompt,
    System.Text.Json.JsonElement RouterId,
    string? AgentCommandRole);

public sealed record NotificationPrefRequest(string? Pref);

/// <summary>A nullable column change: absent leaves it, a value or null replaces it.</summary>
public readonly record struct ColumnChange(bool Present, string? Value);

public sealed record RoomUpdate(
    string? Name, bool? BroadcastMode, ColumnChange SystemPrompt, ColumnChange RouterId, string? AgentCommandRole);

public sealed record PinState(bool Pinned);

public sealed record ArchiveState(bool Archived);

public sealed record ClearState(DateTime ClearedAt);

public sealed record Pagination(int Limit, int Offset, long Total);

/// <summary><c>GET /api/rooms/:id/members</c> answer: the contract puts <c>pagination</c> beside <c>data</c>.</summary>
public sealed class RoomMembersPage
{
    public bool Ok => true;

    public required IReadOnlyList<RoomMemberDto> Data { get; init; }

    public required Pagination Pagination { get; init; }
}
