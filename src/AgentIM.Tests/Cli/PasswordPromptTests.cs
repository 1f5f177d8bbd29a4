using System.Net.Http.Json;
using AgentIM.Cli;
using AgentIM.Tests.Smoke;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Cli;

/// <summary>
/// The hidden password prompts of `agentim user add`, `agentim user passwd` and `agentim login`, driven as a person
/// would: the published binary runs under a pseudo-terminal, the test waits for each prompt and types. Everything the
/// terminal shows is captured with its echo forced on, so a password that reaches the screen fails the test.
/// </summary>
public sealed class PasswordPromptTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    private const string Password = "Pty-Secret-Pass-1";
    private const string OtherPassword = "Pty-Changed-Pass-2";

    private static readonly Dictionary<string, string> NoOverrides = [];

    [Fact]
    public async Task UserAdd_AtATerminal_ShowsNeitherEntry_AndTheUserCanLogIn()
    {
        var name = Unique.Id("ptyadd");
        await using var terminal = TerminalRun.Start(hub, NoOverrides, "user", "add", name, "--display-name", "Pty");
        await terminal.WaitForAsync("New password: ");
        // Both lines at once: the confirmation is typed before "Repeat it:" shows, and must stay hidden too.
        await terminal.TypeAsync($"{Password}\r{Password}\r");

        var exit = await terminal.ExitAsync();
        Assert.True(exit == ExitCodes.Ok, terminal.Screen);
        Assert.Contains("Repeat it: ", terminal.Screen);
        Assert.Contains($"Created user '{name}'.", terminal.Screen);
        Assert.DoesNotContain("Pty-Secret", terminal.Screen);
        Assert.Equal(200, await LoginStatusAsync(name, Password));
    }

    [Fact]
    public async Task UserAdd_ConfirmationDiffers_IsRefusedWithUsageExit_AndCreatesNothing()
    {
        var name = Unique.Id("ptydiff");
        await using var terminal = TerminalRun.Start(hub, NoOverrides, "user", "add", name);
        await terminal.WaitForAsync("New password: ");
        await terminal.TypeAsync(Password + "\r");
        await terminal.WaitForAsync("Repeat it: ");
        await terminal.TypeAsync(OtherPassword + "\r");

        var exit = await terminal.ExitAsync();
        Assert.True(exit == ExitCodes.Usage, terminal.Screen);
        Assert.Contains(UserCli.MismatchMessage, terminal.Screen);
        Assert.DoesNotContain("Pty-Secret", terminal.Screen);
        Assert.DoesNotContain("Pty-Changed", terminal.Screen);
        Assert.Equal(0L, await TestSql.ScalarAsync<long>(hub.DatabaseUrl, "SELECT count(*) FROM users WHERE username = $1", name));
    }

    [Fact]
    public async Task UserPasswd_AtATerminal_ChangesThePasswordWithoutShowingIt()
    {
        var name = await AddAsync("ptypw");
        await using var terminal = TerminalRun.Start(hub, NoOverrides, "user", "passwd", name);
        await terminal.WaitForAsync("New password: ");
        await terminal.TypeAsync(OtherPassword + "\r");
        await terminal.WaitForAsync("Repeat it: ");
        await terminal.TypeAsync(OtherPassword + "\r");

        var exit = await terminal.ExitAsync();
        Assert.True(exit == ExitCodes.Ok, terminal.Screen);
        Assert.Contains($"Password of '{name}' changed", terminal.Screen);
        Assert.DoesNotContain("Pty-Changed", terminal.Screen);
        Assert.Equal(401, await LoginStatusAsync(name, Password));
        Assert.Equal(200, await LoginStatusAsync(name, OtherPassword));
    }

    [Fact]
    public async Task UserPasswd_EndOfInputAtThePrompt_SaysNoPasswordAndChangesNothing()
    {
        var name = await AddAsync("ptyeof");
        await using var terminal = TerminalRun.Start(hub, NoOverrides, "user", "passwd", name);
        await terminal.WaitForAsync("New password: ");
        await terminal.TypeAsync("\u0004");

        var exit = await terminal.ExitAsync();
        Assert.True(exit == ExitCodes.Usage, terminal.Screen);
        Assert.Contains("no password given", terminal.Screen);
        Assert.Equal(200, await LoginStatusAsync(name, Password));
    }

    [Fact]
    public async Task UserPasswd_UnknownUser_IsRefusedBeforeAnyPrompt()
    {
        var name = Unique.Id("ptynone");
        await using var terminal = TerminalRun.Start(hub, NoOverrides, "user", "passwd", name);

        var exit = await terminal.ExitAsync();
        Assert.True(exit == ExitCodes.NotFound, terminal.Screen);
        Assert.Contains($"no user named '{name}'", terminal.Screen);
        Assert.DoesNotContain("password:", terminal.Screen, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_AtATerminal_HidesThePassword_AndSavesTheSession()
    {
        var name = await AddAsync("ptylogin");
        var home = Directory.CreateTempSubdirectory("agentim-pty-home-").FullName;
        try
        {
            var overrides = new Dictionary<string, string> { ["HOME"] = home, ["XDG_CONFIG_HOME"] = Path.Combine(home, "config") };
            var server = hub.BaseAddress.ToString().TrimEnd('/');
            await using var terminal = TerminalRun.Start(hub, overrides, "login", "-s", server, "-u", name);
            await terminal.WaitForAsync("Password: ");
            await terminal.TypeAsync(Password + "\r");

            var exit = await terminal.ExitAsync();
            Assert.True(exit == ExitCodes.Ok, terminal.Screen);
            Assert.Contains($"Logged in to {server} as {name}", terminal.Screen);
            Assert.DoesNotContain("Pty-Secret", terminal.Screen);
            Assert.True(File.Exists(Path.Combine(home, "config", "agentim", "config.json")), terminal.Screen);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("user", "add", "ptypipe-new")]
    [InlineData("user", "passwd", HubFixture.AdminUsername)]
    [InlineData("login", "-s", "http://127.0.0.1:9", "-u", "someone")]
    public async Task PasswordCommand_StdinAPipeThatStaysOpen_FailsAtOnceNamingTheAlternative(params string[] arguments)
    {
        // Standard input is a pipe the test never writes to nor closes: waiting on it would hang for ever.
        var home = Directory.CreateTempSubdirectory("agentim-pipe-home-").FullName;
        using var process = hub.StartOther(new Dictionary<string, string> { ["HOME"] = home, ["XDG_CONFIG_HOME"] = home }, arguments);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`agentim {string.Join(' ', arguments)}` waited for a password on a pipe");
        }

        Assert.Equal(ExitCodes.Usage, process.ExitCode);
        var message = (await stderr).Trim();
        Assert.Single(message.Split('\n'));
        Assert.Contains(arguments[0] == "login" ? "AGENTIM_PASSWORD" : "--password-stdin", message);
        process.StandardInput.Close();
        Directory.Delete(home, recursive: true);
    }

    private async Task<string> AddAsync(string prefix)
    {
        var name = Unique.Id(prefix);
        var run = await hub.RunCommandAsync(new CommandRun("user", "add", name, "--password-stdin") { Input = Password + "\n" });
        Assert.True(run.ExitCode == 0, run.ToString());
        return name;
    }

    private async Task<int> LoginStatusAsync(string username, string password)
    {
        using var client = new HttpClient { BaseAddress = hub.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { username, password });
        return (int)response.StatusCode;
    }
}
