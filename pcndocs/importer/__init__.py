"""Import network profiles from the national files: the ODS ePCN workbook and list sizes."""
