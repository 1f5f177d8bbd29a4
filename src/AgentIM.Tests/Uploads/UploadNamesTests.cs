using AgentIM.Uploads;

namespace AgentIM.Tests.Uploads;

/// <summary>Display names and Content-Disposition values built from hostile client file names (case B14), without a hub.</summary>
public sealed class UploadNamesTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\x\\a.txt", "a.txt")]
    [InlineData("..", "file")]
    [InlineData("", "file")]
    [InlineData("dir/", "file")]
    [InlineData(".hidden", "hidden")]
    [InlineData("a..b...c.txt", "a.b.c.txt")]
    [InlineData("tab\there\0nul.txt", "tabherenul.txt")]
    [InlineData("line\u2028sep\uFEFF.txt", "linesep.txt")]
    [InlineData("👩‍💻 notes.md", "👩‍💻 notes.md")]
    public void CleanDisplayName_HostileInput_SafeAndOrdinaryNamesUnchanged(string input, string expected) =>
        Assert.Equal(expected, UploadNames.CleanDisplayName(input));

    [Fact]
    public void CleanDisplayName_LoneSurrogate_Dropped() => Assert.Equal("xy.txt", UploadNames.CleanDisplayName("x\uD800y.txt"));

    [Fact]
    public void CleanDisplayName_Overlong_CutKeepingExtensionAndWholeCharacters()
    {
        var cleaned = UploadNames.CleanDisplayName(string.Concat(Enumerable.Repeat("😀", 150)) + ".txt");

        Assert.True(cleaned.Length <= UploadNames.MaxDisplayLength);
        Assert.EndsWith(".txt", cleaned, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(cleaned[^5]));
    }

    [Fact]
    public void ContentDisposition_QuotesAndNonAscii_EscapedTwice()
    {
        var value = UploadNames.ContentDisposition(inline: false, "a\"b\\c é.txt");

        Assert.Equal("attachment; filename=\"a_b_c _.txt\"; filename*=UTF-8''a%22b%5Cc%20%C3%A9.txt", value);
    }

    [Fact]
    public void TryGetUploadId_OnlyStoredNameShape()
    {
        Assert.True(UploadNames.TryGetUploadId("AbcdefghijKLMNOPQRSTU.png", out var id));
        Assert.Equal("AbcdefghijKLMNOPQRSTU", id);
        Assert.False(UploadNames.TryGetUploadId("avatar_u1_123.png", out _));
        Assert.False(UploadNames.TryGetUploadId("Abcdefghij-LMNOPQRSTU.png", out _));
    }
}
