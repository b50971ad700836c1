using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VexaService.Data.Migrations
{
    /// <inheritdoc />
    public partial class FollowStatuses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_meetings_one_live_bot_per_meeting",
                table: "meetings");

            migrationBuilder.AddColumn<DateTime>(
                name: "bot_missing_since",
                table: "meetings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_meetings_one_live_bot_per_meeting",
                table: "meetings",
                columns: new[] { "platform", "native_meeting_id" },
                unique: true,
                filter: "status NOT IN ('completed', 'failed', 'error')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_meetings_one_live_bot_per_meeting",
                table: "meetings");

            migrationBuilder.DropColumn(
                name: "bot_missing_since",
                table: "meetings");

            migrationBuilder.CreateIndex(
                name: "ix_meetings_one_live_bot_per_meeting",
                table: "meetings",
                columns: new[] { "platform", "native_meeting_id" },
                unique: true,
                filter: "status IN ('requested', 'active', 'stopping')");
        }
    }
}
