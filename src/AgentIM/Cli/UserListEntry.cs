namespace AgentIM.Cli;

/// <summary>One element of <c>agentim user list --json</c>. The field names are stable: scripts read them.</summary>
public sealed record UserListEntry(
    string Id,
    string Username,
    string DisplayName,
    string Role,
    string State,
    string CreatedAt,
    string? DisabledAt,
    string? LockedUntil,
    int FailedLoginAttempts);
