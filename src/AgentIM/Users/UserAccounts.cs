using AgentIM.Auth;
using AgentIM.Realtime;
using AgentIM.Uploads;

namespace AgentIM.Users;

public enum PasswordChange
{
    Changed,
    UserNotFound,
    NoPassword,
    WrongPassword,
}

/// <summary>
/// Account changes that reach beyond the users table: a password change ends every session of the user, and a
/// deletion first ends them, then removes the user's rooms and tells everyone who was in them.
/// </summary>
public sealed class UserAccounts(
    UserStore users, PasswordHasher hasher, SessionRevocations revocations, RoomEvents roomEvents, UploadStorage uploads)
{
    public async Task<PasswordChange> ChangeOwnPasswordAsync(
        string userId, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId, cancellationToken);
        if (user is null)
        {
            return PasswordChange.UserNotFound;
        }

        if (user.PasswordHash is null)
        {
            return PasswordChange.NoPassword;
        }

        if (!await hasher.VerifyAsync(currentPassword, user.PasswordHash, cancellationToken))
        {
            return PasswordChange.WrongPassword;
        }

        await users.SetPasswordAsync(userId, await hasher.HashAsync(newPassword, cancellationToken), cancellationToken);
        await RevokeAllSessionsAsync(userId, cancellationToken);
        return PasswordChange.Changed;
    }

    /// <summary>Ends every session of the user: refresh tokens, access tokens, and every client and gateway socket.</summary>
    public Task RevokeAllSessionsAsync(string userId, CancellationToken cancellationToken) =>
        revocations.RevokeUserAsync(userId, cancellationToken);

    /// <summary>
    /// Deletes a user (rest-api.md #25). Sessions end first, so no socket of theirs acts while the rows go.
    /// Returns false when there is no such user.
    /// </summary>
    public async Task<bool> DeleteAsync(string userId, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(userId, cancellationToken) is null)
        {
            return false;
        }

        await RevokeAllSessionsAsync(userId, cancellationToken);
        var deletion = await users.DeleteAsync(userId, cancellationToken);
        if (deletion is null)
        {
            return false;
        }

        foreach (var room in deletion.DeletedRooms)
        {
            roomEvents.RoomDeleted(room.RoomId, room.UserIds);
        }

        foreach (var roomId in deletion.ChangedRoomIds)
        {
            await roomEvents.MembersChangedAsync(roomId, cancellationToken);
        }

        uploads.DeleteUrls(deletion.FileUrls);
        uploads.DeleteAvatars(userId, keep: null);
        return true;
    }
}
