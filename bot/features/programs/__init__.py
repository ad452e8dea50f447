"""Programs: creating them (/newprogram, program files), organizers, invite links."""
