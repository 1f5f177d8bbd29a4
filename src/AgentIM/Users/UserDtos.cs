using System.Text.Json;

namespace AgentIM.Users;

public sealed record UpdateMeRequest(string? DisplayName, string? AvatarUrl);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>
/// <c>PUT /api/users/:id</c>. The limits are <see cref="JsonElement"/>s so an absent key (leave as is) differs
/// from an explicit <c>null</c> (no limit).
/// </summary>
public sealed record UpdateUserRequest(
    string? DisplayName, string? Role, string? Password, JsonElement MaxWsConnections, JsonElement MaxGateways);

/// <summary>An OAuth sign-in linked to a user (rest-api.md #19); the provider's tokens are never part of it.</summary>
public sealed record OAuthAccount(
    string Id,
    string Provider,
    string ProviderAccountId,
    string? Email,
    string? DisplayName,
    string? AvatarUrl,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record UserSearchResult(string Id, string Username, string DisplayName, string? AvatarUrl);

public sealed record UserListItem(
    string Id,
    string Username,
    string DisplayName,
    string? AvatarUrl,
    string Role,
    int? MaxWsConnections,
    int? MaxGateways,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DisabledAt);

public sealed record UpdatedUser(
    string Id,
    string Username,
    string DisplayName,
    string Role,
    int? MaxWsConnections,
    int? MaxGateways,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary><c>GET /api/users</c> answer: the contract puts <c>total</c> beside <c>data</c>, not inside it.</summary>
public sealed class UserListResponse
{
    public bool Ok => true;

    public required IReadOnlyList<UserListItem> Data { get; init; }

    public required long Total { get; init; }
}

/// <summary>A change to a user's limits: absent leaves the column alone, a value (or null) replaces it.</summary>
public readonly record struct LimitChange(bool Present, int? Value);

/// <summary>The fields an admin update writes; null strings and absent limits are left unchanged.</summary>
public sealed record UserUpdate(
    string? DisplayName, string? Role, string? PasswordHash, LimitChange MaxWsConnections, LimitChange MaxGateways);
