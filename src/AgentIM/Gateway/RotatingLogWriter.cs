using System.Text;

namespace AgentIM.Gateway;

/// <summary>
/// The log file of a detached gateway (<c>logs/&lt;name&gt;.log</c>, gateway-cli.md §2): appended to, and moved to
/// <c>&lt;name&gt;.log.1</c> (one backup, replacing the previous one) when it reaches <see cref="MaxBytes"/>.
/// Wrap it with <see cref="TextWriter.Synchronized"/> when several threads write.
/// </summary>
public sealed class RotatingLogWriter : TextWriter
{
    private readonly string _path;
    private FileStream _file;
    private StreamWriter _writer;

    public RotatingLogWriter(string path, long maxBytes = 10L * 1024 * 1024)
    {
        _path = path;
        MaxBytes = maxBytes;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        (_file, _writer) = Open();
    }

    public long MaxBytes { get; }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        _writer.Write(value);
        if (value == '\n')
        {
            Flush();
        }
    }

    public override void Write(string? value)
    {
        _writer.Write(value);
        if (value is not null && value.Contains('\n', StringComparison.Ordinal))
        {
            Flush();
        }
    }

    public override void Flush()
    {
        _writer.Flush();
        if (_file.Length >= MaxBytes)
        {
            Rotate();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Rotate()
    {
        _writer.Dispose();
        File.Move(_path, _path + ".1", overwrite: true);
        (_file, _writer) = Open();
    }

    private (FileStream File, StreamWriter Writer) Open()
    {
        var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        return (file, new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
    }
}
