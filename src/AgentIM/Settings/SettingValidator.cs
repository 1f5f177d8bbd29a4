using System.Globalization;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Settings;

/// <summary>
/// Checks one proposed value against its definition and returns the normalized value or the contract's per-key
/// message (rest-api.md #81). The messages are stable: the admin UI shows them as they are.
/// </summary>
public static class SettingValidator
{
    public static bool TryNormalize(SettingDefinition definition, string raw, out string value, out string? error)
    {
        var key = definition.Key;
        value = definition.Type == SettingType.String && !IsTrimmed(key) ? raw : raw.Trim();
        error = null;
        switch (definition.Type)
        {
            case SettingType.Number:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number)
                    || value.Length == 0)
                {
                    error = $"{key}: must be a number";
                }
                else if (definition.Min is { } min && number < min)
                {
                    error = $"{key}: minimum is {min}";
                }
                else if (definition.Max is { } max && number > max)
                {
                    error = $"{key}: maximum is {max}";
                }
                else if (number != Math.Floor(number))
                {
                    error = $"{key}: must be a whole number";
                }
                else
                {
                    value = ((long)number).ToString(CultureInfo.InvariantCulture);
                }

                break;
            case SettingType.Boolean:
                if (value is not ("true" or "false"))
                {
                    error = $"{key}: must be \"true\" or \"false\"";
                }

                break;
            case SettingType.Enum:
                if (!definition.EnumValues!.Contains(value, StringComparer.Ordinal))
                {
                    error = $"{key}: must be one of {string.Join(", ", definition.EnumValues!)}";
                }

                break;
            default:
                error = CheckString(key, ref value);
                break;
        }

        return error is null;
    }

    private static bool IsTrimmed(string key) =>
        key is SettingKeys.CorsOrigin or SettingKeys.JwtAccessExpiry or SettingKeys.JwtRefreshExpiry;

    private static string? CheckString(string key, ref string value)
    {
        if (key == SettingKeys.CorsOrigin)
        {
            return CheckOrigins(ref value);
        }

        if (key is SettingKeys.JwtAccessExpiry or SettingKeys.JwtRefreshExpiry && !DurationText.TryParse(value, out _))
        {
            return $"{key}: must look like 30s, 15m, 12h or 7d";
        }

        return value.Length > 2000 ? $"{key}: must be at most 2000 characters" : null;
    }

    /// <summary>Comma-separated http(s) origins without path, query or wildcard; stored re-joined without spaces.</summary>
    private static string? CheckOrigins(ref string value)
    {
        var origins = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var origin in origins)
        {
            if (origin.Contains('*'))
            {
                return $"{SettingKeys.CorsOrigin}: wildcard \"*\" is not allowed";
            }

            if (!IsOrigin(origin))
            {
                return $"{SettingKeys.CorsOrigin}: invalid origin \"{origin}\"";
            }
        }

        value = string.Join(',', origins);
        return null;
    }

    private static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.Host.Length > 0
        && string.IsNullOrEmpty(uri.UserInfo)
        && uri.PathAndQuery == "/"
        && string.IsNullOrEmpty(uri.Fragment)
        && !origin.EndsWith('/');
}
