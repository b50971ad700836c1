using System.Globalization;

namespace VexaService.AppHost;

/// <summary>
/// Which process listens on a TCP port, read from Linux's /proc (the listening socket's inode, then the process that
/// has it open), so a refused start can say what to stop. Elsewhere, or without the rights to read other processes,
/// it says "another program".
/// </summary>
internal static class PortHolder
{
    private const string Listen = "0A";

    public static string Describe(int port) =>
        Find(port) is { } holder ? $"{holder.Name} (pid {holder.Pid}: {holder.CommandLine})" : "another program";

    public static (int Pid, string Name, string CommandLine)? Find(int port)
    {
        try
        {
            var inodes = ListeningInodes(port);
            if (inodes.Count == 0)
            {
                return null;
            }
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || !OwnsAny(dir, inodes))
                {
                    continue;
                }
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var commandLine = string.Join(" ", File.ReadAllText(Path.Combine(dir, "cmdline")).Split(['\0', '\n', ' '], StringSplitOptions.RemoveEmptyEntries));
                return (pid, name, commandLine.Length > 200 ? commandLine[..200] + "..." : commandLine);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc (not Linux) or a process that went away while read: no name to give.
        }
        return null;
    }

    /// <summary>Inodes of sockets listening on the port, from /proc/net/tcp and tcp6
    /// ("sl local_address rem_address st ... inode", addresses as hex "IP:PORT").</summary>
    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != Listen)
                {
                    continue;
                }
                var local = fields[1];
                if (int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add(fields[9]);
                }
            }
        }
        return inodes;
    }

    private static bool OwnsAny(string processDir, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processDir, "fd")))
            {
                var target = new FileInfo(fd).LinkTarget; // "socket:[12345]"
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A process we may not look into, or one that exited meanwhile.
        }
        return false;
    }
}
