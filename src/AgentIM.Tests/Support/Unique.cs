namespace AgentIM.Tests.Support;

/// <summary>Short ids that never collide between tests sharing one hub and one database.</summary>
public static class Unique
{
    public static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 17)];
}
