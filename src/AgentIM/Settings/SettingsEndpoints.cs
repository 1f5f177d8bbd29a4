using System.Text.Json;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Users;

namespace AgentIM.Settings;

/// <summary>/api/admin/settings (rest-api.md §12): the runtime settings by group, and changes to them. Admin only.</summary>
public static class SettingsEndpoints
{
    public const string LoadFailed = "Failed to load settings";
    public const string MissingChanges = "Missing \"changes\" object";

    public static IServiceCollection AddSettings(this IServiceCollection services)
    {
        services.AddSingleton(provider => new SecretBox(provider.GetRequiredService<HubConfig>().EncryptionKey));
        services.AddSingleton<SettingCatalog>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton(provider => new SettingsEnvironment(provider.GetRequiredService<HubConfig>()));
        services.AddSingleton<RuntimeSettings>();
        return services;
    }

    public static IEndpointRouteBuilder MapSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/settings").RequireBearer().RequireAdmin();
        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(RuntimeSettings settings, CancellationToken cancellationToken)
    {
        SettingsSnapshot snapshot;
        try
        {
            snapshot = await settings.LoadFreshAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && !DbErrors.IsUnavailable(e))
        {
            return Api.Error(500, LoadFailed);
        }

        var groups = new Dictionary<string, List<SettingItem>>(StringComparer.Ordinal);
        foreach (var name in SettingCatalog.Groups)
        {
            groups[name] = [];
        }

        foreach (var definition in settings.Catalog.All)
        {
            var resolved = snapshot.Resolve(definition.Key);
            groups[definition.Group].Add(new SettingItem
            {
                Key = definition.Key,
                Value = definition.Sensitive ? SettingsMask.Mask(resolved.Value) : resolved.Value,
                Type = definition.WireType,
                Sensitive = definition.Sensitive,
                EnumValues = definition.EnumValues,
                Min = definition.Min,
                Max = definition.Max,
                LabelKey = definition.LabelKey,
                DescKey = definition.DescKey,
                Source = resolved.Source switch
                {
                    SettingSource.Db => "db",
                    SettingSource.Env => "env",
                    _ => "default",
                },
            });
        }

        return Api.Ok(groups, SettingsJson.Default.ApiOkDictionaryStringListSettingItem);
    }

    private static async Task<IResult> PutAsync(
        HttpContext context, RuntimeSettings settings, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, SettingsJson.Default.SettingsChangeRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (body.Value!.Changes is not { ValueKind: JsonValueKind.Object } changes)
        {
            return Api.Error(400, MissingChanges);
        }

        var list = new List<KeyValuePair<string, string?>>();
        foreach (var property in changes.EnumerateObject())
        {
            list.Add(new(property.Name, Stringify(property.Value)));
        }

        var caller = context.Caller().UserId;
        var result = await settings.ChangeAsync(list, caller, cancellationToken);
        foreach (var key in result.Updated)
        {
            // Only the key: a sensitive value must not reach the audit table in clear.
            await audit.WriteAsync(context, caller, AuditActions.SettingUpdate, key, AuditActions.SettingTarget, null, cancellationToken);
        }

        var data = new SettingsChangeData { Updated = result.Updated };
        if (result.Errors.Count > 0)
        {
            var failure = new SettingsChangeFailure { Error = string.Join("; ", result.Errors), Data = data };
            return Results.Json(failure, SettingsJson.Default.SettingsChangeFailure, statusCode: 400);
        }

        return Api.Ok(data, SettingsJson.Default.ApiOkSettingsChangeData);
    }

    /// <summary>The contract stringifies every value; JSON null means "remove the stored value".</summary>
    private static string? Stringify(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
