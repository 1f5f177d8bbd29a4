using System.CommandLine;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim login [-s URL] [-u USER]</c>: logs this machine's gateway in to a hub. The password comes from
/// <c>AGENTIM_PASSWORD</c> or a hidden prompt, never from the command line. Tokens go to the config folder (0600).
/// </summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server", "-s") { Description = "The hub's address, e.g. https://hub.example.com" };
        var user = new Option<string?>("--username", "-u") { Description = "Your username on the hub" };
        var command = new Command("login", "Log this machine's gateway in to a hub (password from AGENTIM_PASSWORD or a hidden prompt)");
        command.Options.Add(server);
        command.Options.Add(user);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = GatewayConfigStore.FromEnvironment();
            var saved = store.LoadSettings();
            var serverText = parse.GetValue(server) ?? saved?.ServerBaseUrl ?? Ask("Hub address (http(s)://…): ");
            if (serverText is null || HubAccounts.NormalizeServer(serverText) is not { } baseUrl)
            {
                Console.Error.WriteLine("agentim: the hub address must be an http:// or https:// URL (-s URL)");
                return ExitCodes.Usage;
            }

            var username = parse.GetValue(user) ?? (saved?.ServerBaseUrl == baseUrl ? saved.Username : null) ?? Ask("Username: ");
            if (string.IsNullOrWhiteSpace(username))
            {
                Console.Error.WriteLine("agentim: no username given (-u USER)");
                return ExitCodes.Usage;
            }

            var password = Environment.GetEnvironmentVariable("AGENTIM_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                if (Console.IsInputRedirected)
                {
                    Console.Error.WriteLine("agentim: no terminal to ask for the password on; set AGENTIM_PASSWORD");
                    return ExitCodes.Usage;
                }

                password = GatewayCli.ReadHidden("Password: ");
            }

            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("agentim: no password given");
                return ExitCodes.Usage;
            }

            using var http = HubAccounts.CreateHttpClient();
            var (tokens, error) = await new HubAccounts(http).LoginAsync(baseUrl, username.Trim(), password, cancellationToken);
            if (tokens is null)
            {
                Console.Error.WriteLine($"agentim: {error}");
                return ExitCodes.Failed;
            }

            var socketUrl = HubAccounts.GatewaySocketUrl(baseUrl);
            store.SaveSettings(new GatewaySettings(
                2, socketUrl, baseUrl, tokens.AccessToken, tokens.RefreshToken, store.GatewayId(), username.Trim()));
            store.ClearRevoked();
            Console.WriteLine($"Logged in to {baseUrl} as {username.Trim()}. Tokens saved in {store.ConfigPath}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string? Ask(string label)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(label);
        return Console.ReadLine()?.Trim();
    }
}
