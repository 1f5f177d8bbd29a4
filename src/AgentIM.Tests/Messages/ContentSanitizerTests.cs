using AgentIM.Messages;

namespace AgentIM.Tests.Messages;

/// <summary>
/// behaviour.md §9.1–9.2 and case B17: active HTML goes, markdown and prose stay, and text PostgreSQL cannot store
/// is cleaned (NUL dropped, lone surrogates become U+FFFD) on every path.
/// </summary>
public sealed class ContentSanitizerTests
{
    [Theory]
    [InlineData("plain text")]
    [InlineData("if a < b && b > c then `x<y`")]
    [InlineData("**bold** _em_ [link](https://example.com) ```js\nconst a = 1;\n```")]
    [InlineData("javascript: is a language; onclick=foo is prose")]
    [InlineData("<b>bold</b> <a href=\"https://example.com\" title=\"t\">ok</a>")]
    [InlineData("<img src=\"https://example.com/a.png\" alt=\"on=1\">")]
    [InlineData("👩‍💻 مرحبا \u202Eabc\u202C 🇺🇦")]
    public void SanitizeContent_HarmlessText_Unchanged(string content)
    {
        Assert.Equal(content, ContentSanitizer.SanitizeContent(content));
    }

    [Fact]
    public void SanitizeContent_NothingToClean_SameInstance()
    {
        var content = new string('a', 10) + "😀";

        Assert.Same(content, ContentSanitizer.SanitizeContent(content));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>hi", "hi")]
    [InlineData("a<SCRIPT type=\"text/javascript\">\nalert(1)\n</SCRIPT >b", "ab")]
    [InlineData("<scr<script>x</script>ipt>alert(1)</script>", "")]
    [InlineData("x<iframe src=\"https://evil.example\"></iframe>y", "xy")]
    [InlineData("x<object data=\"a.swf\">fallback</object>y", "xy")]
    [InlineData("x<form action=\"/steal\"><input name=p></form>y", "xy")]
    [InlineData("x<svg><circle r=\"1\"/></svg>y", "xy")]
    [InlineData("x<math><mi>x</mi></math>y", "xy")]
    [InlineData("x<embed src=\"a.swf\">y", "xy")]
    [InlineData("x<EMBED\nsrc=a.swf>y", "xy")]
    public void SanitizeContent_ActiveBlocks_Removed(string content, string expected)
    {
        Assert.Equal(expected, ContentSanitizer.SanitizeContent(content));
    }

    [Theory]
    [InlineData("<img src=x onerror=alert(1)>", "<img src=x>")]
    [InlineData("<img src=x onerror=\"alert(1)\" alt=a>", "<img src=x alt=a>")]
    [InlineData("<div ONMOUSEOVER='x()'>t</div>", "<div>t</div>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "<a href=\"\">x</a>")]
    [InlineData("<a href='JavaScript:alert(1)'>x</a>", "<a href=\"\">x</a>")]
    [InlineData("<a href=javascript:alert(1)>x</a>", "<a href=\"\">x</a>")]
    [InlineData("<a href=\" vbscript:x\">x</a>", "<a href=\"\">x</a>")]
    [InlineData("<img src=\"data:text/html;base64,AAAA\">", "<img src=\"\">")]
    [InlineData("<button formaction=\"javascript:x\">b</button>", "<button formaction=\"\">b</button>")]
    [InlineData("<img/onerror=alert(1) src=x>", "<img/ src=x>")]
    [InlineData("<img src=\"x\"onerror=\"alert(1)\">", "<img src=\"x\">")]
    [InlineData("<img alt=\">\" onerror=alert(1)>", "<img alt=\">\">")]
    [InlineData("it's <b>fine</b>, 'really' > ok", "it's <b>fine</b>, 'really' > ok")]
    public void SanitizeContent_HandlersAndDangerousUrls_Neutralised(string content, string expected)
    {
        Assert.Equal(expected, ContentSanitizer.SanitizeContent(content));
    }

    [Theory]
    [InlineData("<img/onerror=alert(1) src=x>")]
    [InlineData("<img src=\"x\"onerror=\"alert(1)\">")]
    [InlineData("<img alt=\">\" onerror=alert(1) src=x>")]
    [InlineData("<a title='a>b' href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<img src=x title=it's onerror=alert(1)>")]
    [InlineData("<img src=x alt=\"it's\" onerror=alert(1)> and '")]
    [InlineData("<svg/onerror=alert(1)>")]
    public void SanitizeContent_AttributeTricks_NoHandlerOrScriptUrlSurvives(string content)
    {
        var cleaned = ContentSanitizer.SanitizeContent(content);

        Assert.DoesNotContain("onerror", cleaned, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", cleaned, StringComparison.OrdinalIgnoreCase);
    }

    // Lone surrogates do not survive xunit's serialization of theory data, so the cases are picked by index.
    private static readonly (string Value, string Expected)[] CodeUnitCases =
    [
        ("a\0b", "ab"),
        ("\0\0", ""),
        ("\uD83D", "\uFFFD"),
        ("x\uDC00y", "x\uFFFDy"),
        ("\uDE00\uD83D", "\uFFFD\uFFFD"),
        ("\uD83D\uD83D\uDE00", "\uFFFD\U0001F600"),
        ("end\uD83D", "end\uFFFD"),
        ("\uDBFF\uDFFF\uDC00", "\U0010FFFF\uFFFD"),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void CleanCodeUnits_NulAndLoneSurrogates_Cleaned(int index)
    {
        var (value, expected) = CodeUnitCases[index];

        Assert.Equal(expected, ContentSanitizer.CleanCodeUnits(value));
        Assert.Equal(expected, ContentSanitizer.SanitizeContent(value));
        Assert.Equal(expected, ContentSanitizer.SanitizeText(value));
    }

    [Fact]
    public void CleanCodeUnits_ValidPairsOnly_SameInstance()
    {
        var value = "ok \U0001F600 \U0001F1FA\U0001F1E6";

        Assert.Same(value, ContentSanitizer.CleanCodeUnits(value));
    }

    [Theory]
    [InlineData("  <b>Team</b> room  ", "Team room")]
    [InlineData("&lt;b&gt;Team&lt;/b&gt;", "Team")]
    [InlineData("&amp;lt;script&amp;gt;x", "x")]
    [InlineData("Tom & Jerry", "Tom & Jerry")]
    [InlineData("say &quot;hi&quot; &#x27;now&#x27;", "say \"hi\" 'now'")]
    public void SanitizeText_Names_NoMarkupAtAll(string value, string expected)
    {
        Assert.Equal(expected, ContentSanitizer.SanitizeText(value));
    }

    [Theory]
    [InlineData("admin\u202Egnp.exe", "admingnp.exe")]
    [InlineData("\u2066team\u2069 \u202Broom\u202C", "team room")]
    [InlineData("two\nlines\tand\rtabs", "two lines and tabs")]
    [InlineData("bell\u0007 esc\u001B[31m c1\u0085", "bell esc[31m c1")]
    [InlineData("\u05E9\u05DC\u05D5\u05DD\u200F team", "\u05E9\u05DC\u05D5\u05DD\u200F team")]
    public void SanitizeText_Names_NoControlsOrDirectionOverrides(string value, string expected)
    {
        Assert.Equal(expected, ContentSanitizer.SanitizeText(value));
    }

    [Fact]
    public void SanitizeContent_Messages_KeepLineBreaksAndDirectionControls()
    {
        // Message text is prose and code: line breaks, tabs and bidirectional text stay as written.
        var value = "line one\n\tindented \u202Ertl\u202C";

        Assert.Same(value, ContentSanitizer.SanitizeContent(value));
    }
}
