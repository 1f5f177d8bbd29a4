using AgentIM.Gateway;

namespace AgentIM.Tests.Gateway;

/// <summary>A detached gateway's log: appended to, moved to one <c>.1</c> backup when it reaches its size limit.</summary>
public sealed class RotatingLogWriterTests
{
    [Fact]
    public void Write_PastTheLimit_RotatesToOneBackup()
    {
        var dir = Directory.CreateTempSubdirectory("agentim-log-").FullName;
        try
        {
            var path = Path.Combine(dir, "logs", "gw.log");
            using (var writer = new RotatingLogWriter(path, maxBytes: 1000))
            {
                for (var i = 0; i < 50; i++)
                {
                    writer.WriteLine($"line {i:D3} " + new string('x', 40));
                }
            }

            Assert.True(File.Exists(path + ".1"));
            Assert.False(File.Exists(path + ".2"));
            Assert.True(new FileInfo(path).Length < 1000);
            Assert.True(new FileInfo(path + ".1").Length >= 1000);
            Assert.EndsWith($"line 049 {new string('x', 40)}\n", File.ReadAllText(path));

            using (var again = new RotatingLogWriter(path, maxBytes: 1000))
            {
                again.WriteLine("appended");
            }

            Assert.Contains("appended", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
