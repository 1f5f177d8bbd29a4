using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using Npgsql;

namespace AgentIM.Tasks;

/// <summary>
/// SQL for <c>tasks</c>. Room membership is read in the same queries: a user is in a room through a user
/// membership row, and the room's creator always counts as its owner.
/// </summary>
public sealed class TaskStore(HubDatabase database)
{
    private const string TaskColumns = """
        t.id, t.room_id, t.title, t.description, t.status, t.result, t.due_date, t.assignee_id, t.assignee_type,
        t.created_by_id, t.created_at, t.updated_at
        """;

    /// <summary>Tasks of every room the user is in, newest first.</summary>
    public async Task<List<TaskDto>> ListForUserAsync(string userId, QueryPaging paging, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {TaskColumns}
            FROM tasks t
            JOIN rooms r ON r.id = t.room_id
            WHERE r.created_by_id = $1
               OR EXISTS (
                   SELECT 1
                   FROM room_members m
                   WHERE m.room_id = t.room_id AND m.member_id = $1 AND m.member_type = 'user')
            ORDER BY t.created_at DESC, t.id DESC
            LIMIT $2 OFFSET $3
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Limit });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Offset });
        return await ReadTasksAsync(command, cancellationToken);
    }

    public async Task<List<TaskDto>> ListForRoomAsync(string roomId, QueryPaging paging, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {TaskColumns}
            FROM tasks t
            WHERE t.room_id = $1
            ORDER BY t.created_at DESC, t.id DESC
            LIMIT $2 OFFSET $3
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Limit });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Offset });
        return await ReadTasksAsync(command, cancellationToken);
    }

    /// <summary>The user's role in the room ("owner" for its creator); null when the room is missing or they are not in it.</summary>
    public async Task<string?> GetRoomRoleAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE m.role END
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id AND m.member_id = $2 AND m.member_type = 'user'
            WHERE r.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Whether a user (member row or creator) or an agent (member row) of that id is in the room.</summary>
    public async Task<bool> IsAssignableAsync(string roomId, string assigneeId, string assigneeType, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT EXISTS (
                SELECT 1
                FROM room_members m
                WHERE m.room_id = $1 AND m.member_id = $2 AND m.member_type = $3)
            OR ($3 = 'user' AND EXISTS (SELECT 1 FROM rooms r WHERE r.id = $1 AND r.created_by_id = $2))
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = assigneeId });
        command.Parameters.Add(new NpgsqlParameter { Value = assigneeType });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>A task with the user's role in its room; null when the task does not exist.</summary>
    public async Task<TaskAccess?> GetWithRoleAsync(string taskId, string userId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {TaskColumns}, CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE m.role END
            FROM tasks t
            JOIN rooms r ON r.id = t.room_id
            LEFT JOIN room_members m ON m.room_id = t.room_id AND m.member_id = $2 AND m.member_type = 'user'
            WHERE t.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = taskId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new TaskAccess(ReadTask(reader), reader.IsDBNull(12) ? null : reader.GetString(12));
    }

    public async Task InsertAsync(TaskDto task, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO tasks (id, room_id, title, description, status, result, due_date, assignee_id, assignee_type,
                               created_by_id, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        AddRow(command, task);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Writes every editable column of the task; false when it was deleted meanwhile.</summary>
    public async Task<bool> UpdateAsync(TaskDto task, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE tasks
            SET title = $3,
                description = $4,
                status = $5,
                result = $6,
                due_date = $7,
                assignee_id = $8,
                assignee_type = $9,
                updated_at = $12
            -- The columns that never change are matched too, so every parameter is used.
            WHERE id = $1
              AND room_id = $2
              AND created_by_id = $10
              AND created_at = $11
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        AddRow(command, task);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM tasks WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = taskId });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static void AddRow(NpgsqlCommand command, TaskDto task)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = task.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = task.RoomId });
        command.Parameters.Add(new NpgsqlParameter { Value = task.Title });
        command.Parameters.Add(new NpgsqlParameter { Value = task.Description });
        command.Parameters.Add(new NpgsqlParameter { Value = task.Status });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)task.Result ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)task.DueDate ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)task.AssigneeId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)task.AssigneeType ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = task.CreatedById });
        command.Parameters.Add(new NpgsqlParameter { Value = task.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = task.UpdatedAt });
    }

    private static async Task<List<TaskDto>> ReadTasksAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tasks = new List<TaskDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(ReadTask(reader));
        }

        return tasks;
    }

    private static TaskDto ReadTask(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        RoomId = reader.GetString(1),
        Title = reader.GetString(2),
        Description = reader.GetString(3),
        Status = reader.GetString(4),
        Result = reader.IsDBNull(5) ? null : reader.GetString(5),
        DueDate = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
        AssigneeId = reader.IsDBNull(7) ? null : reader.GetString(7),
        AssigneeType = reader.IsDBNull(8) ? null : reader.GetString(8),
        CreatedById = reader.GetString(9),
        CreatedAt = reader.GetDateTime(10),
        UpdatedAt = reader.GetDateTime(11),
    };
}
