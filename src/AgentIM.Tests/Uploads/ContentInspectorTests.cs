using System.Text;
using AgentIM.Uploads;

namespace AgentIM.Tests.Uploads;

/// <summary>The streaming content checks, fed in awkward chunk sizes so every boundary case is crossed.</summary>
public sealed class ContentInspectorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Text_MultibyteSplitAcrossChunks_Accepted(int chunk) =>
        Assert.True(Feed(ContentKind.Text, Encoding.UTF8.GetBytes("отчёт 測試 😀 ok"), chunk));

    [Theory]
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 })]
    [InlineData(new byte[] { 0x61, 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0x61, 0x00, 0x62 })]
    [InlineData(new byte[] { 0x80, 0x61 })]
    public void Text_InvalidUtf8OrNul_Refused(byte[] bytes)
    {
        for (var chunk = 1; chunk <= bytes.Length; chunk++)
        {
            Assert.False(Feed(ContentKind.Text, bytes, chunk), $"chunk {chunk}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Image_ScriptMarkerAcrossAChunkBoundary_Refused(int chunk)
    {
        var bytes = new byte[5000];
        Encoding.ASCII.GetBytes("<ScRiPt").CopyTo(bytes, 4093);

        Assert.False(Feed(ContentKind.Png, bytes, chunk));
    }

    [Fact]
    public void Image_DocumentMarkerOnlyCountsInTheHead()
    {
        var late = new byte[5000];
        Encoding.ASCII.GetBytes("<svg").CopyTo(late, 3000);
        var early = new byte[5000];
        Encoding.ASCII.GetBytes("<svg").CopyTo(early, 1000);

        Assert.True(Feed(ContentKind.Jpeg, late, 512));
        Assert.False(Feed(ContentKind.Jpeg, early, 512));
    }

    private static bool Feed(ContentKind kind, byte[] bytes, int chunk)
    {
        using var inspector = new ContentInspector(kind);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            if (!inspector.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i))))
            {
                return false;
            }
        }

        return inspector.Finish();
    }
}
