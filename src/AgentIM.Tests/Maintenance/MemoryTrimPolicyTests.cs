using AgentIM.Maintenance;

namespace AgentIM.Tests.Maintenance;

/// <summary>When the hub gives a burst's garbage back: the first quiet second after enough has been allocated.</summary>
public sealed class MemoryTrimPolicyTests
{
    private const long Quiet = MemoryTrimPolicy.QuietBytesPerTick - 1;
    private const long Busy = MemoryTrimPolicy.QuietBytesPerTick;
    private const long Enough = MemoryTrimPolicy.TrimAfterBytes;

    [Fact]
    public void FirstTick_NeverTrims_ItHasNothingToCompareWith()
    {
        var policy = new MemoryTrimPolicy();

        Assert.False(policy.ShouldTrim(100 * Enough));
    }

    [Fact]
    public void BurstThenQuietSecond_TrimsOnceAtTheQuietSecond()
    {
        var policy = new MemoryTrimPolicy();
        var allocated = 0L;
        Assert.False(policy.ShouldTrim(allocated));

        // A burst: every second busy, however much piles up.
        for (var second = 0; second < 10; second++)
        {
            allocated += Enough;
            Assert.False(policy.ShouldTrim(allocated));
        }

        allocated += Quiet;
        Assert.True(policy.ShouldTrim(allocated));
        policy.Trimmed(allocated);

        // Quiet afterwards: nothing new to give back.
        for (var second = 0; second < 5; second++)
        {
            allocated += Quiet;
            Assert.False(policy.ShouldTrim(allocated));
        }
    }

    [Fact]
    public void QuietHub_TrimsOnlyAfterEnoughHasPiledUpSinceTheLastTrim()
    {
        var policy = new MemoryTrimPolicy();
        var allocated = Enough;
        Assert.False(policy.ShouldTrim(allocated));
        allocated += Quiet;
        Assert.True(policy.ShouldTrim(allocated));
        policy.Trimmed(allocated);

        var ticks = 0;
        do
        {
            allocated += Quiet;
            ticks++;
        }
        while (!policy.ShouldTrim(allocated));

        // At just under the quiet rate, the next trim waits until another TrimAfterBytes have been allocated.
        Assert.Equal((Enough + Quiet - 1) / Quiet, ticks);
    }

    [Fact]
    public void SteadyTraffic_NeverTrims()
    {
        var policy = new MemoryTrimPolicy();
        var allocated = 0L;
        for (var second = 0; second < 600; second++)
        {
            allocated += Busy;
            Assert.False(policy.ShouldTrim(allocated));
        }
    }
}
