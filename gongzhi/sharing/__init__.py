"""Shared resources of the alliance's units: car parks lent to residents outside school hours
(潮汐"错时停车") with permits, a reproducible lottery and the gate check; halls and rooms booked
for events."""
