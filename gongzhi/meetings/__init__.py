"""Meetings and consultation (议事协商): the councils' schedules, invitations, attendance and quorum,
agendas, minutes and votes; resolutions followed as action items until done (as cases in the grid
centre or projects of the alliance); consultation topics with opinions and votes; deputies'
reception days; and the community workers' training record."""
