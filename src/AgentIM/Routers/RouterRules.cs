using System.Text.Json;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Infrastructure.Http;

namespace AgentIM.Routers;

/// <summary>The field rules of rest-api.md #67/#69 with the validator's texts and i18n keys, and the key mask.</summary>
public static class RouterRules
{
    public const string Mask = "••••";

    public static void ValidateCreate(Validation validation, RouterRequest request)
    {
        NonBlank(validation, "name", request.Name, 100, "validation.nameWhitespace", required: true);
        Description(validation, request.Description);
        validation.OneOf("scope", request.Scope, RouterScopes.Global, RouterScopes.Personal);
        BaseUrl(validation, request.LlmBaseUrl, required: true);
        NonBlank(validation, "llmApiKey", request.LlmApiKey, 500, "validation.apiKeyWhitespace", required: true);
        NonBlank(validation, "llmModel", request.LlmModel, 200, "validation.modelWhitespace", required: true);
        Numbers(validation, request);
        if (Visibility(validation, request) && request.Visibility is "whitelist" or "blacklist"
            && request.VisibilityList is not { Count: > 0 })
        {
            validation.Add("visibilityList", "validation.visibilityListRequired");
        }
    }

    /// <summary>Every create field but <c>scope</c> (ignored, as the contract's validator strips it), all optional.</summary>
    public static void ValidateUpdate(Validation validation, RouterRequest request)
    {
        NonBlank(validation, "name", request.Name, 100, "validation.nameWhitespace", required: false);
        Description(validation, request.Description);
        BaseUrl(validation, request.LlmBaseUrl, required: false);
        NonBlank(validation, "llmApiKey", request.LlmApiKey, 500, "validation.apiKeyWhitespace", required: false);
        NonBlank(validation, "llmModel", request.LlmModel, 200, "validation.modelWhitespace", required: false);
        Numbers(validation, request);
        Visibility(validation, request);
    }

    /// <summary>
    /// The row after an update. Visibility fields only apply to global routers. A key that still carries the mask is
    /// the UI sending back what it was shown, so the stored key stays.
    /// </summary>
    public static RouterRow Apply(RouterRow row, RouterRequest request, SecretBox secretBox, DateTime now)
    {
        var keyChanged = request.LlmApiKey is { } key && !key.StartsWith(Mask, StringComparison.Ordinal);
        return row with
        {
            Name = request.Name ?? row.Name,
            Description = request.Description.ValueKind switch
            {
                JsonValueKind.Undefined => row.Description,
                JsonValueKind.String => request.Description.GetString(),
                _ => null,
            },
            LlmBaseUrl = request.LlmBaseUrl ?? row.LlmBaseUrl,
            StoredApiKey = keyChanged ? secretBox.Encrypt(request.LlmApiKey!) : row.StoredApiKey,
            LlmModel = request.LlmModel ?? row.LlmModel,
            MaxChainDepth = request.MaxChainDepth ?? row.MaxChainDepth,
            RateLimitWindow = request.RateLimitWindow ?? row.RateLimitWindow,
            RateLimitMax = request.RateLimitMax ?? row.RateLimitMax,
            Visibility = row.IsGlobal ? request.Visibility ?? row.Visibility : row.Visibility,
            VisibilityList = row.IsGlobal && request.VisibilityList is { } list ? list.Select(v => v!).ToList() : row.VisibilityList,
            UpdatedAt = now,
        };
    }

    /// <summary>"••••" and the key's last two characters; only the mask for short or unreadable keys.</summary>
    public static string MaskKey(string storedKey, SecretBox secretBox) =>
        secretBox.TryDecrypt(storedKey, out var key) && key.Length > 8 ? Mask + key[^2..] : Mask;

    private static void NonBlank(Validation validation, string field, string? value, int max, string blankKey, bool required)
    {
        var ok = required ? validation.RequiredString(field, value, 1, max) : validation.OptionalString(field, value, 1, max);
        if (ok)
        {
            validation.NotBlank(field, value, blankKey);
        }
    }

    private static void Description(Validation validation, JsonElement description)
    {
        if (description.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        if (description.ValueKind != JsonValueKind.String)
        {
            validation.Add("description", "Expected string, received " + description.ValueKind.ToString().ToLowerInvariant());
            return;
        }

        validation.OptionalString("description", description.GetString(), 0, 1000);
    }

    private static void BaseUrl(Validation validation, string? url, bool required)
    {
        if (url is null)
        {
            if (required)
            {
                validation.Add("llmBaseUrl", "Required");
            }

            return;
        }

        if (!validation.OptionalString("llmBaseUrl", url, 1, 500))
        {
            return;
        }

        var isHttp = (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0;
        if (!isHttp)
        {
            validation.Add("llmBaseUrl", "validation.httpUrl");
        }
    }

    private static void Numbers(Validation validation, RouterRequest request)
    {
        Range(validation, "maxChainDepth", request.MaxChainDepth, 1, 100);
        Range(validation, "rateLimitWindow", request.RateLimitWindow, 1, 3600);
        Range(validation, "rateLimitMax", request.RateLimitMax, 1, 1000);
    }

    private static void Range(Validation validation, string field, int? value, int min, int max)
    {
        if (value < min)
        {
            validation.Add(field, $"Number must be greater than or equal to {min}");
        }
        else if (value > max)
        {
            validation.Add(field, $"Number must be less than or equal to {max}");
        }
    }

    private static bool Visibility(Validation validation, RouterRequest request)
    {
        var ok = validation.OneOf("visibility", request.Visibility, "all", "whitelist", "blacklist");
        if (request.VisibilityList is not { } list)
        {
            return ok;
        }

        if (list.Count > 500)
        {
            validation.Add("visibilityList", "Array must contain at most 500 element(s)");
            return false;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                validation.Add($"visibilityList.{i}", "Expected string, received null");
                ok = false;
            }
            else if (list[i]!.Length > 100)
            {
                validation.Add($"visibilityList.{i}", "String must contain at most 100 character(s)");
                ok = false;
            }
        }

        return ok;
    }
}
