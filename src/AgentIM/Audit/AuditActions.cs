namespace AgentIM.Audit;

/// <summary>The contract's audit action and target names (data-model.md §2.19). Stable: stored in the table.</summary>
public static class AuditActions
{
    public const string Login = "login";
    public const string LoginFailed = "login_failed";
    public const string Logout = "logout";
    public const string PasswordChange = "password_change";
    public const string UserCreate = "user_create";
    public const string UserUpdate = "user_update";
    public const string UserDelete = "user_delete";
    public const string RouterCreate = "router_create";
    public const string RouterUpdate = "router_update";
    public const string RouterDelete = "router_delete";
    public const string RoomCreate = "room_create";
    public const string RoomUpdate = "room_update";
    public const string RoomDelete = "room_delete";
    public const string MemberAdd = "member_add";
    public const string MemberRemove = "member_remove";
    public const string SettingUpdate = "setting_update";
    public const string FileUpload = "file_upload";
    public const string MessageEdit = "message_edit";
    public const string MessageDelete = "message_delete";

    public const string UserTarget = "user";
    public const string RouterTarget = "router";
    public const string RoomTarget = "room";
    public const string MemberTarget = "member";
    public const string SettingTarget = "setting";
    public const string FileTarget = "file";
    public const string MessageTarget = "message";
}
