using System.Text;
using AgentIM.Realtime;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// The pre-parse check of every inbound frame (websocket.md §2.1 steps 2–3): well-formed JSON object, depth ≤ 15
/// with the root at depth 0, at most 1,000 members per container, and the top-level "type" picked up on the way.
/// </summary>
public sealed class FrameInspectorTests
{
    [Fact]
    public void Inspect_SimpleFrame_OkWithType()
    {
        Assert.Equal(FrameShape.Ok, Inspect("{\"type\":\"client:ping\",\"ts\":1}", out var type));
        Assert.Equal("client:ping", type);
    }

    [Fact]
    public void Inspect_TypeAfterOtherKeys_OkWithType()
    {
        Assert.Equal(FrameShape.Ok, Inspect("{\"ts\":1,\"x\":{\"type\":\"inner\"},\"type\":\"client:ping\"}", out var type));
        Assert.Equal("client:ping", type);
    }

    [Fact]
    public void Inspect_TypeOnlyNested_NoType()
    {
        Assert.Equal(FrameShape.Ok, Inspect("{\"x\":{\"type\":\"client:ping\"},\"y\":[\"type\"]}", out var type));
        Assert.Null(type);
    }

    [Fact]
    public void Inspect_TypeNotAString_NoType()
    {
        Assert.Equal(FrameShape.Ok, Inspect("{\"type\":{\"a\":\"client:ping\"}}", out var type));
        Assert.Null(type);
    }

    [Fact]
    public void Inspect_EscapedTypeKeyAndValue_Decoded()
    {
        Assert.Equal(FrameShape.Ok, Inspect("{\"\\u0074ype\":\"client:\\u0070ing\"}", out var type));
        Assert.Equal("client:ping", type);
    }

    [Theory]
    [InlineData(14, FrameShape.Ok)]
    [InlineData(15, FrameShape.TooDeep)]
    [InlineData(60_000, FrameShape.TooDeep)]
    public void Inspect_NestedArrays_DepthCountedFromRoot(int nestedArrays, FrameShape expected)
    {
        // The root is depth 0 and "x" holds the first array at depth 1; the innermost scalar sits at nestedArrays + 1.
        var frame = "{\"type\":\"t\",\"x\":" + new string('[', nestedArrays) + "0" + new string(']', nestedArrays) + "}";

        Assert.Equal(expected, Inspect(frame, out _));
    }

    [Theory]
    [InlineData(15, FrameShape.Ok)]
    [InlineData(16, FrameShape.TooDeep)]
    public void Inspect_NestedObjects_EmptyObjectAtDepth16IsTooDeep(int depth, FrameShape expected)
    {
        // The root is the first object; the empty object in the middle sits at `depth`.
        var frame = new StringBuilder();
        frame.Insert(0, "{\"k\":", depth).Append("{}").Append('}', depth);

        Assert.Equal(expected, Inspect(frame.ToString(), out _));
    }

    [Fact]
    public void Inspect_UnclosedDeepFrame_TooDeepBeforeTheEndIsSeen()
    {
        Assert.Equal(FrameShape.TooDeep, Inspect("{\"x\":" + new string('[', 100), out _));
    }

    [Theory]
    [InlineData(1000, FrameShape.Ok)]
    [InlineData(1001, FrameShape.TooWide)]
    [InlineData(5000, FrameShape.TooWide)]
    public void Inspect_ArrayElements_AtMost1000(int count, FrameShape expected)
    {
        Assert.Equal(expected, Inspect("{\"x\":[" + string.Join(',', Enumerable.Repeat("[]", count)) + "]}", out _));
    }

    [Theory]
    [InlineData(1000, FrameShape.Ok)]
    [InlineData(1001, FrameShape.TooWide)]
    public void Inspect_RootKeys_AtMost1000(int count, FrameShape expected)
    {
        Assert.Equal(expected, Inspect("{" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"k{i}\":{{}}")) + "}", out _));
    }

    [Fact]
    public void Inspect_ManySmallSiblingContainers_CountedPerContainer()
    {
        var inner = "[" + string.Join(',', Enumerable.Repeat("1", 900)) + "]";
        var frame = "{\"a\":" + inner + ",\"b\":" + inner + ",\"c\":{\"d\":" + inner + "}}";

        Assert.Equal(FrameShape.Ok, Inspect(frame, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"type\":}")]
    [InlineData("{\"type\":\"a\",}")]
    [InlineData("{\"type\":\"a\"} {\"type\":\"b\"}")]
    [InlineData("{\"type\":\"a\"}]")]
    [InlineData("{'type':'a'}")]
    [InlineData("[{\"type\":\"a\"}]")]
    [InlineData("\"client:ping\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"type\":\"a\" /* note */}")]
    public void Inspect_MalformedOrNotAnObject_InvalidJson(string frame)
    {
        Assert.Equal(FrameShape.InvalidJson, Inspect(frame, out _));
    }

    [Fact]
    public void Inspect_InvalidUtf8_InvalidJson()
    {
        byte[] frame = [.. "{\"type\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal(FrameShape.InvalidJson, FrameInspector.Inspect(frame, out _));
    }

    [Fact]
    public void Inspect_LeadingAndTrailingWhitespace_Ok()
    {
        Assert.Equal(FrameShape.Ok, Inspect(" \n{\"type\":\"a\"}\r\n ", out var type));
        Assert.Equal("a", type);
    }

    [Theory]
    [InlineData(@"{""c"":""\ud83d""}", @"{""c"":""\uFFFD""}")]
    [InlineData(@"{""c"":""x\uDC00y""}", @"{""c"":""x\uFFFDy""}")]
    [InlineData(@"{""c"":""\ude00\ud83d""}", @"{""c"":""\uFFFD\uFFFD""}")]
    [InlineData(@"{""c"":""\ud83d\ud83d\ude00""}", @"{""c"":""\uFFFD\ud83d\ude00""}")]
    [InlineData(@"{""c"":""\ud83d\n""}", @"{""c"":""\uFFFD\n""}")]
    [InlineData(@"{""c"":""end\ud83d""}", @"{""c"":""end\uFFFD""}")]
    public void ReplaceLoneSurrogateEscapes_Unpaired_ReplacedWithFffd(string frame, string expected)
    {
        var repaired = FrameInspector.ReplaceLoneSurrogateEscapes(Encoding.UTF8.GetBytes(frame));

        Assert.Equal(expected, Encoding.UTF8.GetString(repaired.Span));
        Assert.Equal(FrameShape.Ok, FrameInspector.Inspect(repaired.Span, out _));
    }

    [Theory]
    [InlineData(@"{""c"":""plain""}")]
    [InlineData(@"{""c"":""\ud83d\ude00 \u0000 \u00e9""}")]
    [InlineData(@"{""c"":""\\ud83d""}")]
    [InlineData(@"{""c"":""\\\ud83d\ude00""}")]
    [InlineData(@"{""c"":""\ud8""}")]
    [InlineData(@"")]
    public void ReplaceLoneSurrogateEscapes_NothingUnpaired_SameFrame(string frame)
    {
        var bytes = Encoding.UTF8.GetBytes(frame);

        var repaired = FrameInspector.ReplaceLoneSurrogateEscapes(bytes);

        Assert.True(repaired.Span == bytes.AsSpan(), "the frame was copied or changed");
    }

    [Fact]
    public void ReplaceLoneSurrogateEscapes_LoneSurrogateInType_InspectableAfterwards()
    {
        var repaired = FrameInspector.ReplaceLoneSurrogateEscapes("{\"type\":\"client:\\ud800\"}"u8.ToArray());

        Assert.Equal(FrameShape.Ok, FrameInspector.Inspect(repaired.Span, out var type));
        Assert.Equal("client:\uFFFD", type);
    }

    private static FrameShape Inspect(string frame, out string? type) => FrameInspector.Inspect(Encoding.UTF8.GetBytes(frame), out type);
}
