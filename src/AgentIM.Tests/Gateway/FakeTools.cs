using System.Runtime.CompilerServices;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The fake CLIs under <c>Gateway/Fakes/</c> (the real tools cannot be installed here): each test copies one into a
/// folder of its own, executable, with a state folder beside it that the fake writes its log and sessions to.
/// </summary>
internal sealed class FakeTools : IDisposable
{
    private FakeTools(string root)
    {
        Root = root;
        State = Directory.CreateDirectory(Path.Combine(root, "state")).FullName;
        Work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
    }

    public string Root { get; }

    /// <summary>The fake's state folder (its <c>log</c>, threads and sessions).</summary>
    public string State { get; }

    /// <summary>A working directory for the agent.</summary>
    public string Work { get; }

    public static FakeTools Create() => new(Directory.CreateTempSubdirectory("agentim-fake-").FullName);

    /// <summary>Copies <paramref name="name"/> from the Fakes folder next to this file and makes it executable.</summary>
    public string Install(string name, [CallerFilePath] string source = "")
    {
        var from = Path.Combine(Path.GetDirectoryName(source)!, "Fakes", name);
        var to = Path.Combine(Root, name);
        File.Copy(from, to, overwrite: true);
        File.SetUnixFileMode(to, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return to;
    }

    /// <summary>The lines the fake logged so far.</summary>
    public string[] Log()
    {
        var path = Path.Combine(State, "log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A fake still writing its log; the temp folder is cleaned up later.
        }
    }
}
