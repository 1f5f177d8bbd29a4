namespace AgentIM.Settings;

/// <summary>How sensitive values are shown: the first 4 characters and a mask (rest-api.md #80).</summary>
public static class SettingsMask
{
    public const string Dots = "••••";

    public static string Mask(string value) => value.Length switch
    {
        0 => "",
        // Short secrets would be shown almost whole by the first-4 rule; show only the mask.
        <= 8 => Dots + Dots,
        _ => value[..4] + Dots + Dots,
    };
}
