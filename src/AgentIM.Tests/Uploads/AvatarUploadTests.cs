using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary><c>POST /api/upload/avatar</c> (rest-api.md #65): images only, 2 MiB, the profile updated, older avatars removed.</summary>
public sealed class AvatarUploadTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private string UploadDir => hub.Config.UploadDir;

    [Fact]
    public async Task Avatar_Png_SetsProfileAndReplacesTheOldFile()
    {
        var user = await TestUsers.CreateAsync(hub, "avatar");

        var first = await user.UploadAsync(UploadClient.Filled(UploadClient.Png, 2048), "me.png", "image/png", path: "/api/upload/avatar");
        await Task.Delay(5);
        var second = await user.UploadAsync(
            UploadClient.Filled(UploadClient.Jpeg, 2048), "me.jpg", "image/jpeg", path: "/api/upload/avatar");
        var (_, me) = await user.GetAsync("/api/users/me");

        Assert.Equal(200, first.Status);
        var firstUrl = first.Data["avatarUrl"]!.GetValue<string>();
        var secondUrl = second.Data["avatarUrl"]!.GetValue<string>();
        Assert.Matches($"^/uploads/avatar_{user.UserId}_[0-9]+\\.png$", firstUrl);
        Assert.Matches($"^/uploads/avatar_{user.UserId}_[0-9]+\\.jpg$", secondUrl);
        Assert.Equal(secondUrl, me!["data"]!["avatarUrl"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(UploadDir, firstUrl["/uploads/".Length..])), "the older avatar is removed");
        Assert.True(File.Exists(Path.Combine(UploadDir, secondUrl["/uploads/".Length..])));

        var download = await hub.DownloadAsync(secondUrl, user.AccessToken);
        Assert.Equal("image/jpeg", download.Header("Content-Type"));
        Assert.StartsWith("inline;", download.Header("Content-Disposition"), StringComparison.Ordinal);
        UploadRoutesTests.AssertSafeHeaders(download);
    }

    [Fact]
    public async Task Avatar_OtherUsersAvatarsWithASharedPrefix_Kept()
    {
        var user = await TestUsers.CreateAsync(hub, "avatar");
        var lookalike = Path.Combine(UploadDir, $"avatar_{user.UserId}x_1.png");
        await File.WriteAllBytesAsync(lookalike, UploadClient.Png);

        var reply = await user.UploadAsync(UploadClient.Png, "me.png", "image/png", path: "/api/upload/avatar");

        Assert.Equal(200, reply.Status);
        Assert.True(File.Exists(lookalike), "another user's avatar is not this user's older one");
    }

    [Fact]
    public async Task DeleteUser_RemovesTheirAvatar()
    {
        var user = await TestUsers.CreateAsync(hub, "avatar");
        var reply = await user.UploadAsync(UploadClient.Png, "me.png", "image/png", path: "/api/upload/avatar");
        var url = reply.Data["avatarUrl"]!.GetValue<string>();
        var admin = await hub.LoginAdminAsync();

        var (status, _) = await admin.DeleteAsync($"/api/users/{user.UserId}");

        Assert.Equal(200, status);
        Assert.False(File.Exists(Path.Combine(UploadDir, url["/uploads/".Length..])));
    }

    [Theory]
    [InlineData("application/pdf", "pdf", "Only JPEG, PNG, GIF and WebP images are allowed")]
    [InlineData("text/plain", "text", "Only JPEG, PNG, GIF and WebP images are allowed")]
    [InlineData("image/png", "jpeg", "File content does not match declared type")]
    [InlineData("image/png", "large", "Avatar too large. Maximum size is 2MB")]
    public async Task Avatar_WrongTypeBytesOrSize_RefusedAndNothingWritten(string type, string bytes, string error)
    {
        var user = await TestUsers.SharedAsync(hub);
        var before = UploadClient.FilesIn(UploadDir);
        var content = bytes switch
        {
            "pdf" => UploadClient.Pdf,
            "text" => UploadClient.Text("hello"),
            "jpeg" => UploadClient.Jpeg,
            _ => UploadClient.Filled(UploadClient.Png, (2 * 1024 * 1024) + 1),
        };

        var reply = await user.UploadAsync(content, "me.png", type, path: "/api/upload/avatar");

        Assert.Equal((400, error), (reply.Status, reply.Error));
        Assert.Equal(before, UploadClient.FilesIn(UploadDir));
    }
}
