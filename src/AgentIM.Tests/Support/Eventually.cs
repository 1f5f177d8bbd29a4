namespace AgentIM.Tests.Support;

/// <summary>Polls for a state the hub reaches asynchronously, with a generous functional deadline.</summary>
public static class Eventually
{
    public static async Task AssertAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Not reached in time: {what}");
            }

            await Task.Delay(50);
        }
    }
}
