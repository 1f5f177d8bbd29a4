using AgentIM.Messages;

namespace AgentIM.Tests.Messages;

/// <summary>
/// Mention parsing and resolution as decisions.md fixes them (case B18): boundaries, the name alphabet with dots
/// and dashes, trailing punctuation, case-insensitive matching, no prefix matching.
/// </summary>
public sealed class MentionsTests
{
    [Theory]
    [InlineData("@dev-ops please check", "dev-ops")]
    [InlineData("thanks @dev.", "dev")]
    [InlineData("@dev-ops, @qa_bot: go!", "dev-ops", "qa_bot")]
    [InlineData("(@qa_bot)", "qa_bot")]
    [InlineData("mail ops@dev.example.com")]
    [InlineData("x1@dev")]
    [InlineData("é@dev")]
    [InlineData("مرحبا@dev")]
    [InlineData("مرحبا @dev-ops", "dev-ops")]
    [InlineData("\u200F@dev-ops\u200F", "dev-ops")]
    [InlineData("ask @code.reviewer.", "code.reviewer")]
    [InlineData("@dev_- @dev.-_", "dev")]
    [InlineData("@-._")]
    [InlineData("@ dev")]
    [InlineData("@")]
    [InlineData("@@dev", "dev")]
    [InlineData("_@dev", "dev")]
    [InlineData("@dev@qa", "dev")]
    [InlineData("@a.b.c-d_e", "a.b.c-d_e")]
    [InlineData("@Dev then @DEV and @dev", "Dev")]
    [InlineData("@dév", "d")]
    [InlineData("😀@dev", "dev")]
    public void Parse_Text_Names(string content, params string[] expected)
    {
        Assert.Equal(expected, Mentions.Parse(content));
    }

    [Fact]
    public void Parse_AfterSupplementaryLetter_NotAMention()
    {
        // U+1D49C MATHEMATICAL SCRIPT CAPITAL A is a letter outside the BMP: "𝒜@dev" is glued to a word.
        Assert.Empty(Mentions.Parse("\U0001D49C@dev"));
        Assert.Empty(Mentions.Parse("\U0001D7CE@dev"));
    }

    [Fact]
    public void Resolve_CaseInsensitive_CandidateSpellingInOrderOfFirstMention()
    {
        var candidates = new[] { new Member("qa_bot", true), new Member("Dev-Ops", true), new Member("dev", true) };

        var resolved = Mentions.Resolve(Mentions.Parse("@DEV-OPS and @QA_BOT"), candidates, m => m.Name, m => m.Online);

        Assert.Equal(["Dev-Ops", "qa_bot"], resolved.Select(m => m.Name));
    }

    [Fact]
    public void Resolve_NoPrefixMatch_Nothing()
    {
        var candidates = new[] { new Member("dev", true), new Member("code", true) };

        Assert.Empty(Mentions.Resolve(Mentions.Parse("@devops @code.reviewer @de"), candidates, m => m.Name, m => m.Online));
    }

    [Fact]
    public void Resolve_DottedNameNextToItsPrefix_OnlyTheFullName()
    {
        var candidates = new[] { new Member("code", true), new Member("code.reviewer", true) };

        var resolved = Mentions.Resolve(Mentions.Parse("ask @code.reviewer."), candidates, m => m.Name, m => m.Online);

        Assert.Equal(["code.reviewer"], resolved.Select(m => m.Name));
    }

    [Fact]
    public void Resolve_TwoCandidatesSameName_PreferredOneWins()
    {
        var offline = new Member("dev", false);
        var online = new Member("dev", true);

        Assert.Same(online, Assert.Single(Mentions.Resolve(["dev"], [offline, online], m => m.Name, m => m.Online)));
        Assert.Same(online, Assert.Single(Mentions.Resolve(["dev"], [online, offline], m => m.Name, m => m.Online)));
        var first = new Member("dev", false);
        Assert.Same(first, Assert.Single(Mentions.Resolve(["dev"], [first, offline], m => m.Name, m => m.Online)));
    }

    [Fact]
    public void Resolve_SameCandidateMentionedTwiceInDifferentCase_ListedOnce()
    {
        var dev = new Member("dev", true);

        Assert.Single(Mentions.Resolve(["dev", "DEV"], [dev], m => m.Name, m => m.Online));
    }

    private sealed record Member(string Name, bool Online);
}
